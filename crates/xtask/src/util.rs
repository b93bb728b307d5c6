//! Running commands with a clear account of what ran and how it ended.

use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, Stdio},
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

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command, its output going to ours; an error names the command.
pub(crate) fn run(mut c: Command) -> Result<(), String> {
    let what = describe(&c);
    let status = c
        .status()
        .map_err(|e| format!("could not start `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{what}` failed ({status}); run it alone to see why"
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
