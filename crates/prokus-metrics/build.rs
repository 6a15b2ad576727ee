//! Rebuilds this crate when a file it embeds from outside its own folder
//! changes. Cargo records such a file (`include_str!("../../../queries/…")`)
//! by its absolute path, and checkouts that share a target directory share
//! that record: after CI's fresh clone was built, an edit to a query or a
//! template in the developers' tree went unseen and the tests ran the clone's
//! copy. A path named here is relative to the crate, so each checkout
//! watches its own files. (The build scripts of prokus-ingest, prokus-report
//! and prokus-sample do the same for the folders they embed from.)

fn main() {
    println!("cargo:rerun-if-changed=../../queries");
}
