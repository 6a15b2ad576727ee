//! Rebuilds this crate when a file it embeds from sample-data/
//! changes, in this checkout: why, in crates/prokus-metrics/build.rs.

fn main() {
    println!("cargo:rerun-if-changed=../../sample-data");
}
