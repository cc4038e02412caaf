#!/usr/bin/env python3
"""The module graph of each crate: no circles, and no route file importing another.

Reads every `crate::…`, `super::…` and `self::…` path (in `use` trees and inline) of the
non-test code of each crate under the workspace, and draws an edge from the module that
names it to the deepest module the path reaches. A module using its own ancestor is part
of that ancestor (a child using `super::Page` is no circle); every other edge is lifted to
the level where the two modules are siblings (`services::exam::x -> services::papers::y`
counts as `exam -> papers` under `services`), and the siblings of each level must form no
circle. Files under `api/src/routes/` must not reach another route file at all.

Exits 1 naming each circle and each route-to-route import; prints the counts otherwise.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `entity/` is left out: sea-orm relations are declared from both tables (`Related` each
# way), so its modules name each other by design; it holds no logic to untangle.
CRATES = ["src", "api/src", "api/domain/src", "api/demo/src", "migration/src"]
# Modules under routes/ that are not route files (the parent itself).
ROUTE_FILES_PARENT = "routes"


def module_of(src: Path, file: Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts = parts[:-1]
    return tuple(parts)


def strip_tests(text: str) -> str:
    """The file without its `#[cfg(test)]` items, comments and string literals."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'\bb?r(#*)"(?:.|\n)*?"\1', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        # Skip the item: up to its end `;` or its balanced `{…}` block.
        j = m.end()
        depth = 0
        while j < len(text):
            c = text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif c == ";" and depth == 0:
                j += 1
                break
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use(tree: str) -> list:
    """`a::{b, c::{d, e}}` -> [`a::b`, `a::c::d`, `a::c::e`]."""
    tree = re.sub(r"\s+", "", tree)
    m = re.match(r"^(.*?)\{(.*)\}$", tree)
    if not m:
        return [re.sub(r"as\w+$", "", tree)]
    prefix, body = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for c in body:
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += c == "{"
        depth -= c == "}"
        cur += c
    if cur:
        parts.append(cur)
    out = []
    for p in parts:
        if p == "self":
            out.append(prefix.rstrip(":"))
        else:
            out.extend(expand_use(prefix + p))
    return out


def paths_in(text: str) -> list:
    found = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        found.extend(expand_use(m.group(1)))
    text = re.sub(r"\buse\s+[^;]+;", "", text)
    found.extend(re.findall(r"\b(?:crate|super|self)(?:::\w+)+", text))
    return [p for p in found if re.match(r"^(crate|super|self)\b", p)]


def resolve(path: str, here: tuple, is_dir_module: bool) -> list:
    """The module-path segments a `crate::`/`super::`/`self::` path names."""
    segs = path.split("::")
    base = list(here)
    while segs and segs[0] in ("crate", "super", "self"):
        head = segs.pop(0)
        if head == "crate":
            base = []
        elif head == "super":
            base = base[:-1]
        # `self` keeps the module itself.
    return base + segs


def main() -> int:
    problems = []
    total_edges = 0
    for crate in CRATES:
        src = ROOT / crate
        if not src.is_dir():
            continue
        files = sorted(src.rglob("*.rs"))
        modules = {module_of(src, f): f for f in files}
        edges = set()
        for mod, f in modules.items():
            text = strip_tests(f.read_text(encoding="utf-8"))
            for p in paths_in(text):
                segs = resolve(p, mod, f.name == "mod.rs")
                # The deepest module the path reaches.
                target = ()
                for i in range(1, len(segs) + 1):
                    if tuple(segs[:i]) in modules:
                        target = tuple(segs[:i])
                if target == mod:
                    continue
                edges.add((mod, target))
        total_edges += len(edges)
        lifted = {}
        for u, v in edges:
            if u[: len(v)] == v or v[: len(u)] == u:
                continue  # a module and its own ancestor or descendant
            k = 0
            while u[k] == v[k]:
                k += 1
            parent = u[:k]
            lifted.setdefault(parent, set()).add((u[k], v[k]))
            if (
                crate == "api/src"
                and u[:1] == (ROUTE_FILES_PARENT,)
                and v[:1] == (ROUTE_FILES_PARENT,)
                and len(u) > 1
                and len(v) > 1
            ):
                problems.append(
                    f"{crate}: route file {'::'.join(u)} imports route file {'::'.join(v)}"
                )
        for parent, es in lifted.items():
            for cycle in cycles(es):
                where = "::".join(parent) or "crate"
                problems.append(f"{crate}: circle under {where}: {' -> '.join(cycle)}")
    for p in sorted(set(problems)):
        print(p)
    if problems:
        print(f"modgraph: {len(set(problems))} problems")
        return 1
    print(f"modgraph: {total_edges} module edges in {len(CRATES)} crates, no circle, "
          "no route file importing another")
    return 0


def cycles(edges: set) -> list:
    """One cycle per strongly connected component of more than one node."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(path_through(graph, sorted(comp)))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def path_through(graph, comp):
    """A cycle inside a component, from its first node back to it."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


if __name__ == "__main__":
    sys.exit(main())
