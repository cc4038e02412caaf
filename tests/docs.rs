//! The README cannot drift from the code: every variable the server reads is a row of its
//! configuration table and every row is a variable the server reads; every command of the
//! binary is in its list of commands; the deployment's files and docs/OPERATIONS.md name
//! only variables the server reads.

use std::{collections::BTreeSet, path::Path, process::Command};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn readme() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap()
}

/// The part of the README from `## {title}` to the next `## `.
fn section(readme: &str, title: &str) -> String {
    let start = readme
        .find(&format!("\n## {title}"))
        .unwrap_or_else(|| panic!("README has no section {title:?}"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_owned()
}

/// Every `XUEFA_…` name in `text`.
fn variables(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("XUEFA_") {
        let tail = &rest[i..];
        let len = tail
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        out.insert(tail[..len].to_owned());
        rest = &tail[len..];
    }
    out
}

/// The `XUEFA_…` string literals of the shipped code (not of the tests).
fn read_by_the_server() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![Path::new(ROOT).join("api"), Path::new(ROOT).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                for quoted in code.split('"').skip(1).step_by(2) {
                    if quoted.starts_with("XUEFA_") && !quoted.contains(' ') {
                        out.insert(quoted.to_owned());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_configuration_table_lists_exactly_what_the_server_reads() {
    let table = variables(&section(&readme(), "Configuration"));
    let read = read_by_the_server();
    assert!(read.len() >= 10, "found {read:?}");
    let undocumented: Vec<_> = read.difference(&table).collect();
    let stale: Vec<_> = table.difference(&read).collect();
    assert!(
        undocumented.is_empty(),
        "read by the server, missing from README's Configuration: {undocumented:?}"
    );
    assert!(
        stale.is_empty(),
        "in README's Configuration, read by nothing: {stale:?}"
    );
}

#[test]
fn every_command_of_the_binary_is_in_the_readme() {
    let help = Command::new(env!("CARGO_BIN_EXE_xuefa"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 6, "{commands:?}");
    let listed = section(&readme(), "Other commands");
    for c in commands {
        assert!(
            listed.contains(&format!("xuefa {c}")),
            "`xuefa {c}` is not in README's Other commands"
        );
    }
}

/// An operator copies these files: a variable in them that the server does not read (a
/// typo, one renamed since) would be silently ignored.
#[test]
fn the_deployment_files_name_only_variables_the_server_reads() {
    let read = read_by_the_server();
    for file in [
        "deploy/xuefa.env.example",
        "deploy/xuefa.service",
        "deploy/nginx.conf",
        "docs/OPERATIONS.md",
    ] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        let named = variables(&text);
        assert!(!named.is_empty(), "{file} names no variable");
        let unknown: Vec<_> = named.difference(&read).collect();
        assert!(
            unknown.is_empty(),
            "{file} names {unknown:?}, which nothing reads"
        );
    }
}
