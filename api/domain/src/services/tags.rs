//! Question tags (the laws a question tests, e.g. `宪法`, `民法典`), as the bank and the
//! papers' rules both keep them.

/// Tags trimmed, each once, in the order given.
pub fn clean(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim().to_owned()) {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}
