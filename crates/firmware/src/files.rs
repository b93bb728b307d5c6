//! The board's side of the engine's jobs: a download streamed into the image slot, an
//! upload handed to the file transfer, an installation verified from the slot with
//! [`chargepoint::firmware_file::Verifier`]. The transfer itself (the modem's HTTP/FTP
//! client, or the self-test's loopback file server) is behind [`FileTransfer`].

use alloc::{
    format,
    string::{String, ToString},
};

use chargepoint::{
    Driver, JobUpdate,
    firmware_file::Verifier,
    jobs::{Job, JobKind},
};

use crate::hal::{FileEvent, FileTransfer, ImageSlot};

/// The jobs in progress on the board and the slot downloads go to.
pub struct Transfers<S> {
    slot: S,
    /// The job whose download fills the slot, and the bytes it holds so far.
    download: Option<(u32, u64)>,
    /// The size the server told for it.
    total: Option<u64>,
}

impl<S: ImageSlot> Transfers<S> {
    /// Transfers into `slot`.
    pub const fn new(slot: S) -> Self {
        Self {
            slot,
            download: None,
            total: None,
        }
    }

    /// What the slot holds (the last image downloaded).
    pub fn slot(&self) -> &S {
        &self.slot
    }

    /// Starts `job` of a charge point of model `product`: a transfer through `transfer`,
    /// or, for an installation, the check of the slot (reported at once).
    pub fn start(
        &mut self,
        driver: &mut Driver,
        real: u64,
        transfer: &mut impl FileTransfer,
        job: Job,
    ) {
        match job.kind {
            JobKind::Download { url, .. } => {
                // A newer download replaces the one in progress (the engine abandoned it).
                self.slot.erase();
                self.download = Some((job.id, 0));
                self.total = None;
                transfer.get(job.id, &url);
            }
            JobKind::Upload { url, file, content } => {
                transfer.put(job.id, &url, &file, content.as_bytes());
            }
            JobKind::Install { .. } => {
                driver.job(real, job.id, JobUpdate::Started);
                let product = driver.cp().settings().identity.model.clone();
                let update = match self.verify(&product) {
                    Ok(version) => JobUpdate::Installed { version },
                    Err(reason) => JobUpdate::Failed(reason),
                };
                driver.job(real, job.id, update);
            }
        }
    }

    /// The image in the slot through the verifier: the version its header names.
    fn verify(&self, product: &str) -> Result<String, String> {
        if self.download.is_some() {
            return Err(String::from("the image is still being downloaded"));
        }
        let mut verifier = Verifier::new(product);
        // Fed in pieces, as a flash bank read in pages would be.
        for page in self.slot.contents().chunks(1024) {
            verifier.update(page).map_err(|e| e.to_string())?;
        }
        verifier
            .finish()
            .map(|header| header.version)
            .map_err(|e| e.to_string())
    }

    /// Hands every report of `transfer` to the driver: a download's bytes go to the
    /// slot (an image larger than the slot fails its job), progress and outcome to the
    /// engine.
    pub fn pump(&mut self, driver: &mut Driver, real: u64, transfer: &mut impl FileTransfer) {
        while let Some((id, event)) = transfer.poll_file() {
            let downloading = self.download.is_some_and(|(d, _)| d == id);
            let update = match event {
                FileEvent::Started { total } => {
                    if downloading {
                        self.total = total;
                    }
                    JobUpdate::Started
                }
                FileEvent::Data(bytes) => {
                    let Some((_, done)) = self.download.as_mut().filter(|_| downloading) else {
                        // Bytes of a transfer that is no longer the download: dropped.
                        continue;
                    };
                    match self.slot.append(&bytes) {
                        Ok(()) => {
                            *done = done.saturating_add(bytes.len() as u64);
                            JobUpdate::Progress {
                                done: *done,
                                total: self.total,
                            }
                        }
                        Err(full) => {
                            self.download = None;
                            self.slot.erase();
                            JobUpdate::Failed(format!(
                                "the image does not fit the board's slot of {} bytes",
                                full.0
                            ))
                        }
                    }
                }
                FileEvent::Done => {
                    if downloading {
                        self.download = None;
                    }
                    JobUpdate::Done
                }
                FileEvent::Failed(reason) => {
                    if downloading {
                        self.download = None;
                        self.slot.erase();
                    }
                    JobUpdate::Failed(reason)
                }
            };
            driver.job(real, id, update);
        }
    }
}
