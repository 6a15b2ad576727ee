//! How the SQL files of `queries/` that hold several statements or templates
//! are cut: each part starts after a `-- part: NAME` line.

/// The part of a SQL file after its `-- part: NAME` line, up to the next part.
///
/// # Panics
/// When the file has no such part: the files are compiled into the binary, so
/// this is a mistake in the project, found by its tests.
pub fn part<'a>(text: &'a str, name: &str) -> &'a str {
    let marker = format!("-- part: {name}\n");
    let start = text
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("the SQL file has a part `{name}`"));
    let rest = &text[start..];
    rest.find("-- part: ").map_or(rest, |end| &rest[..end])
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_end_where_the_next_begins() {
        let text = "-- a comment\n-- part: one\nSELECT 1\n-- part: two\nSELECT 2\n";
        assert_eq!(super::part(text, "one"), "SELECT 1\n");
        assert_eq!(super::part(text, "two"), "SELECT 2\n");
    }
}
