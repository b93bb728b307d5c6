//! Durable state files: one per charge point, `DIR/<id>.json`, written crash-safe
//! (a temporary file written and synced, renamed over the old one, the directory synced).

use std::{
    fs::{self, File},
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
};

use chargepoint::durable::DurableState;

/// Where one charge point keeps its state.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    dir: PathBuf,
    path: PathBuf,
    tmp: PathBuf,
}

impl StateFile {
    /// The state file of charge point `id` in `dir`.
    pub(crate) fn new(dir: &Path, id: &str) -> Self {
        Self {
            dir: dir.to_path_buf(),
            path: dir.join(format!("{id}.json")),
            tmp: dir.join(format!(".{id}.json.tmp")),
        }
    }

    /// The path, for messages.
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Forgets the stored state (a factory reset); none is not an error.
    pub(crate) fn remove(&self) -> std::io::Result<()> {
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The stored state: `Ok(None)` when there is none yet.
    ///
    /// A corrupt or unreadable file is an error naming the file and the reason; the
    /// file is left as it is.
    pub(crate) fn load(&self) -> Result<Option<DurableState>, String> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        DurableState::from_json(&text).map(Some).map_err(|e| {
            format!(
                "{}: {e}; the file was left as it is (move it away to start this charge point from defaults)",
                self.path.display()
            )
        })
    }

    /// Writes `json` so that after a crash at any moment the file holds either the old
    /// or the new state, whole.
    pub(crate) fn save(&self, json: &str) -> std::io::Result<()> {
        {
            let mut f = File::create(&self.tmp)?;
            f.write_all(json.as_bytes())?;
            f.sync_all()?;
        }
        fs::rename(&self.tmp, &self.path)?;
        File::open(&self.dir)?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chargepoint::{ChargePoint, Instant, Settings, model::Variant};

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("evc-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn state_round_trips_and_corruption_is_reported_not_overwritten() {
        let dir = tmpdir("rt");
        let f = StateFile::new(&dir, "CP1");
        assert!(f.load().unwrap().is_none());
        let cp = ChargePoint::new(
            Settings::new("CP1", Variant::Tethered),
            Instant::from_millis(0),
        );
        let state = cp.durable_state();
        f.save(&state.to_json()).unwrap();
        assert_eq!(f.load().unwrap().unwrap().to_json(), state.to_json());
        assert!(!dir.join(".CP1.json.tmp").exists());
        fs::write(f.path(), "{\"format\": 1, \"config\": 12").unwrap();
        let err = f.load().unwrap_err();
        assert!(
            err.contains("CP1.json") && err.contains("left as it is"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(f.path()).unwrap(),
            "{\"format\": 1, \"config\": 12"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
