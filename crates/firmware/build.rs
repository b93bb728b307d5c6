//! Puts `memory.x` where the linker script `link.x` of cortex-m-rt looks for it.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let memory = fs::read("memory.x").unwrap_or_default();
    if fs::write(out.join("memory.x"), memory).is_err() {
        println!("cargo:warning=could not copy memory.x to OUT_DIR");
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
}
