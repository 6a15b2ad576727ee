//! Rebuilds this crate when a file it embeds from queries/ or report-templates/
//! changes, in this checkout: why, in crates/prokus-metrics/build.rs.

fn main() {
    for path in ["../../queries", "../../report-templates"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
