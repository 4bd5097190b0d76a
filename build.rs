// The exercise bank and the Python graders are compiled into the binary: rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=exercises");
    println!("cargo:rerun-if-changed=graders");
}
