//! Running commands with a clear account of what ran and how it ended, and the two
//! package managers the installs use (apt and npm).

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
};

/// The repository root (the workspace's top directory).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// Where project-local tools live (`.tools/`, git-ignored).
pub(crate) fn tools() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's tool directories first.
pub(crate) fn path_with_tools() -> String {
    let mut dirs = vec![tools().join("binaryen/node_modules/.bin")];
    if let Some(home) = env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let old = env::var_os("PATH").unwrap_or_default();
    dirs.extend(env::split_paths(&old));
    env::join_paths(dirs).map_or_else(
        |_| old.to_string_lossy().into_owned(),
        |p| p.to_string_lossy().into_owned(),
    )
}

/// A command in the repository root with the project's PATH.
pub(crate) fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(root())
        .env("PATH", path_with_tools());
    c
}

/// A word as a shell would need it to read it back.
fn quote(word: &str) -> String {
    let plain = |ch: char| ch.is_ascii_alphanumeric() || "-_./=:,@+%".contains(ch);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The command line, with the variables set for it (PATH aside) in front.
fn describe(c: &Command) -> String {
    let mut words: Vec<String> = c
        .get_envs()
        .filter(|(k, _)| *k != "PATH")
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, quote(&v?.to_string_lossy()))))
        .collect();
    words.push(quote(&c.get_program().to_string_lossy()));
    words.extend(c.get_args().map(|a| quote(&a.to_string_lossy())));
    words.join(" ")
}

/// Runs a command, its output going to ours; an error names the command and says how
/// to run it again by hand.
pub(crate) fn run(mut c: Command) -> Result<(), String> {
    let what = describe(&c);
    let dir = c
        .get_current_dir()
        .map_or_else(root, Path::to_path_buf)
        .display()
        .to_string();
    let status = c
        .status()
        .map_err(|e| format!("could not start `{what}` in {dir}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{what}` failed ({status})\n  rerun it alone: cd {} && {what}",
            quote(&dir)
        ))
    }
}

/// Runs a command and returns its stdout, or `None` if it cannot run or fails.
pub(crate) fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether this run has already refreshed apt's package lists.
static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Installs Debian packages, after one `apt-get update` per run.
pub(crate) fn apt_install(packages: &[&str]) -> Result<(), String> {
    if !APT_UPDATED.load(Ordering::Relaxed) {
        let mut update = cmd("apt-get", &["update"]);
        update.env("DEBIAN_FRONTEND", "noninteractive");
        run(update)?;
        APT_UPDATED.store(true, Ordering::Relaxed);
    }
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(packages);
    let mut install = cmd("apt-get", &args);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    run(install)
}

/// `npm install PACKAGE` into `.tools/DIR` (project-local, never global).
pub(crate) fn npm_install(dir: &str, package: &str) -> Result<(), String> {
    let prefix = tools().join(dir);
    fs::create_dir_all(&prefix).map_err(|e| format!("creating {}: {e}", prefix.display()))?;
    let prefix = prefix.to_string_lossy();
    let mut npm = cmd(
        "npm",
        &[
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            &prefix,
            package,
        ],
    );
    npm.env("npm_config_update_notifier", "false");
    run(npm)
}

#[cfg(test)]
mod tests {
    use super::{cmd, describe, quote};

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("--release"), "--release");
        assert_eq!(quote("-D warnings"), "'-D warnings'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn describes_a_command_as_it_can_be_rerun() {
        let mut c = cmd("cargo", &["doc", "--workspace", "--no-deps"]);
        c.env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            describe(&c),
            "RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps"
        );
    }
}
