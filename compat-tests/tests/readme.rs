//! The workspace's top-level `README.md` and the `gowheel` crate's own
//! (`api/README.md`, whose code blocks run as the crate's doctests) carry
//! the same Rust examples: this fails when they drift apart. It lives here,
//! in a crate that is never published, because it reads a file outside
//! the `gowheel` package.

use std::path::Path;

/// The fenced ```rust blocks of a Markdown file, in order.
fn rust_blocks(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == "```rust" => current = Some(String::new()),
            Some(_) if line.trim_start() == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "{path:?}: an unterminated code block");
    blocks
}

#[test]
fn top_level_readme_examples_are_the_crate_readme_doctests() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let top_level = rust_blocks(&workspace.join("README.md"));
    let crate_readme = rust_blocks(&workspace.join("api/README.md"));
    assert!(!top_level.is_empty(), "no Rust examples in README.md");
    assert_eq!(
        top_level, crate_readme,
        "README.md and api/README.md have different Rust examples; copy them across"
    );
}
