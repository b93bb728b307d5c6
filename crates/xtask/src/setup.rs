//! `cargo xtask setup`: installs what is missing, at pinned versions, skipping what is
//! present. Every install step of the project lives here.

use std::{fs, path::Path};

use crate::util::{apt_install, cmd, npm_install, output, root, run, tools};

/// Rust targets the project builds for.
pub(crate) const TARGETS: [&str; 3] = [
    "wasm32-unknown-unknown",
    "thumbv7em-none-eabihf",
    "riscv32imc-unknown-none-elf",
];
/// The target of the container image's static `evc` (deploy/Dockerfile builds the same
/// on Alpine; the e2e suite runs it from here).
pub(crate) const STATIC_TARGET: &str = "x86_64-unknown-linux-musl";
/// Trunk (0.22 needs a newer rustc than the project's 1.95).
pub(crate) const TRUNK_VERSION: &str = "0.21.14";
/// wasm-pack, for `wasm-pack test --headless --chrome` (the test kit's way in).
pub(crate) const WASM_PACK_VERSION: &str = "0.15.1";
/// binaryen on npm; Debian's 108 cannot read what rustc 1.95 emits.
pub(crate) const BINARYEN_VERSION: &str = "132";

/// A piece of the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    /// Rust targets.
    Targets,
    /// The Python venv of the independent CSMS and the schema suite.
    Python,
    /// Debian's Chromium and ChromeDriver.
    Chromium,
    /// wasm-opt from npm's binaryen.
    WasmOpt,
    /// The wasm-bindgen CLI matching Cargo.lock.
    WasmBindgen,
    /// Trunk.
    Trunk,
    /// wasm-pack (it finds the wasm-bindgen CLI above and Debian's ChromeDriver).
    WasmPack,
    /// QEMU for Arm and the Arm binutils, for the firmware image.
    Qemu,
    /// playwright-core from npm (it drives Debian's Chromium; it downloads no browser).
    Playwright,
    /// The musl target and Debian's musl-gcc, for the image's static `evc`.
    Musl,
    /// terser from npm: Trunk's post_build hook minifies the page's JavaScript with it.
    Terser,
}

impl Component {
    /// Every component, in install order.
    pub(crate) const ALL: [Self; 11] = [
        Self::Targets,
        Self::Python,
        Self::Chromium,
        Self::WasmOpt,
        Self::WasmBindgen,
        Self::Trunk,
        Self::WasmPack,
        Self::Qemu,
        Self::Playwright,
        Self::Musl,
        Self::Terser,
    ];

    /// Its name on the command line.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Targets => "targets",
            Self::Python => "python",
            Self::Chromium => "chromium",
            Self::WasmOpt => "wasm-opt",
            Self::WasmBindgen => "wasm-bindgen",
            Self::Trunk => "trunk",
            Self::WasmPack => "wasm-pack",
            Self::Qemu => "qemu",
            Self::Playwright => "playwright",
            Self::Musl => "musl",
            Self::Terser => "terser",
        }
    }

    /// The component with this name.
    pub(crate) fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|c| c.name()).collect();
                format!("unknown component `{name}` (known: {})", names.join(", "))
            })
    }
}

/// Installs the components that are missing.
pub(crate) fn ensure(components: &[Component]) -> Result<(), String> {
    for c in components {
        match c {
            Component::Targets => targets()?,
            Component::Python => python()?,
            Component::Chromium => chromium()?,
            Component::WasmOpt => wasm_opt()?,
            Component::WasmBindgen => wasm_bindgen()?,
            Component::Trunk => trunk()?,
            Component::WasmPack => wasm_pack()?,
            Component::Qemu => qemu()?,
            Component::Playwright => playwright()?,
            Component::Musl => musl()?,
            Component::Terser => terser()?,
        }
    }
    Ok(())
}

fn ok(name: &str, version: &str) {
    println!("ok         {name} {version}");
}

fn installing(name: &str, version: &str) {
    println!("installing {name} {version} ...");
}

fn targets() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = TARGETS
        .into_iter()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if missing.is_empty() {
        ok("targets", &TARGETS.join(" "));
        return Ok(());
    }
    installing("targets", &missing.join(" "));
    let mut args = vec!["target", "add"];
    args.extend(&missing);
    run(cmd("rustup", &args))
}

fn musl() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == STATIC_TARGET) {
        installing("target", STATIC_TARGET);
        run(cmd("rustup", &["target", "add", STATIC_TARGET]))?;
    }
    if output("musl-gcc", &["--version"]).is_none() && !Path::new("/usr/bin/musl-gcc").exists() {
        installing("musl-tools", "(Debian)");
        apt_install(&["musl-tools"])?;
    }
    ok("musl", &format!("{STATIC_TARGET} + musl-gcc"));
    Ok(())
}

/// A small stable hash (FNV-1a) of the requirements, to know when to reinstall.
fn fnv(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The venv's python.
pub(crate) fn venv_python() -> std::path::PathBuf {
    tools().join("venv/bin/python")
}

fn python() -> Result<(), String> {
    let requirements = root().join("tests/requirements.txt");
    let wanted =
        fs::read(&requirements).map_err(|e| format!("reading {}: {e}", requirements.display()))?;
    let hash = fnv(&wanted);
    let marker = tools().join("venv/.requirements-hash");
    if venv_python().exists() && fs::read_to_string(&marker).is_ok_and(|h| h.trim() == hash) {
        ok("python venv", ".tools/venv");
        return Ok(());
    }
    installing("python venv", "from tests/requirements.txt");
    if !venv_python().exists() {
        let venv = tools().join("venv");
        run(cmd("python3", &["-m", "venv", &venv.to_string_lossy()])).map_err(|e| {
            format!(
                "{e}\n  (if it says ensurepip is not available: `apt-get install python3-venv`)"
            )
        })?;
    }
    let py = venv_python();
    let mut c = cmd(
        &py.to_string_lossy(),
        &["-m", "pip", "install", "--quiet", "-r"],
    );
    c.arg(&requirements);
    run(c)?;
    fs::write(&marker, hash).map_err(|e| format!("writing {}: {e}", marker.display()))
}

/// playwright-core, pinned.
pub(crate) const PLAYWRIGHT_VERSION: &str = "1.65.1";

fn playwright() -> Result<(), String> {
    let manifest = tools().join("playwright/node_modules/playwright-core/package.json");
    let have = fs::read_to_string(&manifest).unwrap_or_default();
    if have.contains(&format!("\"version\": \"{PLAYWRIGHT_VERSION}\"")) {
        ok("playwright-core", PLAYWRIGHT_VERSION);
        return Ok(());
    }
    installing("playwright-core", PLAYWRIGHT_VERSION);
    npm_install(
        "playwright",
        &format!("playwright-core@{PLAYWRIGHT_VERSION}"),
    )
}

/// terser, pinned (crates/web/minify.mjs loads it from `.tools/terser`).
pub(crate) const TERSER_VERSION: &str = "5.37.0";

fn terser() -> Result<(), String> {
    let manifest = tools().join("terser/node_modules/terser/package.json");
    let have = fs::read_to_string(&manifest).unwrap_or_default();
    if have.contains(&format!("\"version\": \"{TERSER_VERSION}\"")) {
        ok("terser", TERSER_VERSION);
        return Ok(());
    }
    installing("terser", TERSER_VERSION);
    npm_install("terser", &format!("terser@{TERSER_VERSION}"))
}

fn qemu() -> Result<(), String> {
    let qemu = output("qemu-system-arm", &["--version"]).unwrap_or_default();
    if !qemu.is_empty() && output("arm-none-eabi-size", &["--version"]).is_some() {
        ok("qemu", qemu.lines().next().unwrap_or_default());
        return Ok(());
    }
    installing("qemu-system-arm + binutils-arm-none-eabi", "(Debian)");
    apt_install(&["qemu-system-arm", "binutils-arm-none-eabi"])
}

fn chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        ok(
            "chromium",
            output("/usr/bin/chromium", &["--version"])
                .unwrap_or_default()
                .trim(),
        );
        return Ok(());
    }
    installing("chromium + chromedriver", "(Debian)");
    apt_install(&["chromium", "chromium-driver"])
}

fn wasm_opt() -> Result<(), String> {
    let bin = tools().join("binaryen/node_modules/.bin/wasm-opt");
    let version = output(&bin.to_string_lossy(), &["--version"]).unwrap_or_default();
    if version.contains(&format!("version {BINARYEN_VERSION}")) {
        ok("wasm-opt", BINARYEN_VERSION);
        return Ok(());
    }
    installing("wasm-opt (binaryen)", BINARYEN_VERSION);
    npm_install("binaryen", &format!("binaryen@{BINARYEN_VERSION}"))
}

/// The wasm-bindgen version: Cargo.lock's if the crate is locked, else the root
/// Cargo.toml's `=X.Y.Z` pin.
pub(crate) fn wasm_bindgen_version() -> Result<String, String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    let manifest = fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("reading Cargo.toml: {e}"))?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"="))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or_else(|| String::from("no wasm-bindgen pin in Cargo.lock or Cargo.toml"))
}

fn wasm_bindgen() -> Result<(), String> {
    let version = wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version.as_str()) {
        ok("wasm-bindgen", &version);
        return Ok(());
    }
    installing("wasm-bindgen-cli", &version);
    // Without --locked: the CLI's own lock file wants crates newer than the registry has.
    run(cmd(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
    ))
}

fn wasm_pack() -> Result<(), String> {
    let have = output("wasm-pack", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(WASM_PACK_VERSION) {
        ok("wasm-pack", WASM_PACK_VERSION);
        return Ok(());
    }
    installing("wasm-pack", WASM_PACK_VERSION);
    run(cmd(
        "cargo",
        &[
            "install",
            "--locked",
            "wasm-pack",
            "--version",
            WASM_PACK_VERSION,
        ],
    ))
}

fn trunk() -> Result<(), String> {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        ok("trunk", TRUNK_VERSION);
        return Ok(());
    }
    installing("trunk", TRUNK_VERSION);
    run(cmd(
        "cargo",
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    ))
}
