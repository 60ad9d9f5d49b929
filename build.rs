//! Embeds every `transforms/*.toml` file in the binary, so the built-in
//! catalogue works without the source checkout.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=transforms");
    let mut files: Vec<_> = fs::read_dir("transforms")
        .expect("transforms/ exists beside Cargo.toml")
        .map(|e| e.expect("readable transforms/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut code = String::from("pub const BUILTIN: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let absolute = fs::canonicalize(path).expect("transform file path resolves");
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("transforms/{}", path.file_name().unwrap().to_string_lossy()),
            absolute.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("builtin_transforms.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
