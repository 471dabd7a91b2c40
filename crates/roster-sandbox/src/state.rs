//! A sandbox that remembers: each vendor's store kept in a state directory across processes.
//!
//! A persistent sandbox ([`crate::SandboxBuilder::state_dir`]) holds an exclusive lock on
//! `<dir>/lock` while it runs, loads `<dir>/<vendor>.json` when it starts (a missing file is an
//! empty store) and writes the file again after every request that may have changed the store
//! (any method but `GET`, `HEAD`, `OPTIONS` and `TRACE`, once the vendor's handler has run),
//! before the answer leaves: write-through, so a process killed at any moment keeps every write
//! it answered. A save writes `<vendor>.json.tmp` in the same directory, syncs it and renames it
//! over `<vendor>.json`, so the file is always a whole one, old or new. Saves asked for while
//! one is being written are done together by one write (group commit), so many writes in flight
//! cost about one save; a save that fails answers the vendor's 500 naming the file.
//!
//! A file is `{"format": 1, "vendor": "<vendor>", "state": {...}}`: the vendor's store as serde
//! writes it, id counters included, so ids given in one run are never given again. What is per
//! process is not kept: injected faults, dialects, call counts and Vectera's one-minute login
//! tokens.
//!
//! Written once for every vendor: a vendor's `app()` hands its store over as a [`StateIo`]
//! (one line), and the server saves it ([`StateFile::save`]).

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use roster::Vendor;
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::plumbing::Shared;

/// Where `roster --sandbox` keeps the fakes' state, relative to the current directory.
pub const DEFAULT_STATE_DIR: &str = ".roster/sandbox";

/// The environment variable that overrides [`DEFAULT_STATE_DIR`].
pub const STATE_DIR_VAR: &str = "ROSTER_SANDBOX_DIR";

/// The on-disk format this sandbox writes and reads.
pub const STATE_FORMAT: u32 = 1;

/// The lock file a running persistent sandbox holds, inside the state directory.
const LOCK_FILE: &str = "lock";

/// What to tell a person whose state file cannot be used.
const RESET_HINT: &str =
    "run `roster sandbox reset` (or delete the file) to start from an empty sandbox";

/// The state directory to use: `$ROSTER_SANDBOX_DIR` when set and not empty, else
/// [`DEFAULT_STATE_DIR`] (both as given: a relative path is relative to the current directory).
pub fn state_dir_from_env() -> PathBuf {
    state_dir_from(std::env::var_os(STATE_DIR_VAR))
}

fn state_dir_from(var: Option<std::ffi::OsString>) -> PathBuf {
    match var {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEFAULT_STATE_DIR),
    }
}

/// A vendor's store as its state file holds it.
pub(crate) trait StateIo: Send + Sync {
    /// The whole state file for `vendor`: a copy of the store taken under its lock, encoded
    /// once the lock is released (so requests are not held up by the encoding).
    fn snapshot(&self, vendor: &str) -> serde_json::Result<Vec<u8>>;

    /// Replaces the store with the `state` of a state file's text.
    fn restore(&self, file: &str) -> serde_json::Result<()>;
}

/// A state file as written.
#[derive(Serialize)]
struct Envelope<'a, S> {
    format: u32,
    vendor: &'a str,
    state: &'a S,
}

/// A state file's header, read before its state (the state itself is skipped).
#[derive(Deserialize)]
struct Header {
    format: Option<u64>,
    vendor: Option<String>,
}

/// A state file's state, read once its header is known to be right.
#[derive(Deserialize)]
struct Body<S> {
    state: S,
}

impl<S> StateIo for Shared<S>
where
    S: Serialize + DeserializeOwned + Clone + Send,
{
    fn snapshot(&self, vendor: &str) -> serde_json::Result<Vec<u8>> {
        let copy = self.lock().clone();
        let mut bytes = serde_json::to_vec(&Envelope {
            format: STATE_FORMAT,
            vendor,
            state: &copy,
        })?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    fn restore(&self, file: &str) -> serde_json::Result<()> {
        let Body { state } = serde_json::from_str::<Body<S>>(file)?;
        *self.lock() = state;
        Ok(())
    }
}

/// A state directory this process uses: it holds the directory's lock until dropped.
#[derive(Debug)]
pub(crate) struct StateDir {
    /// The directory, absolute.
    path: PathBuf,
    /// The locked `<dir>/lock`; dropping it releases the lock.
    _lock: File,
}

impl StateDir {
    /// Creates `dir` if needed and takes its lock; a directory another process (or another
    /// sandbox of this one) uses is refused, naming it.
    pub(crate) fn open(dir: &Path) -> io::Result<Self> {
        let path = std::path::absolute(dir)?;
        fs::create_dir_all(&path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot create the sandbox state directory {}: {e}",
                    path.display()
                ),
            )
        })?;
        let lock = lock(&path)?;
        Ok(Self { path, _lock: lock })
    }

    /// The directory, absolute.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The state file of `vendor`, whose store is `state`.
    pub(crate) fn file(&self, vendor: Vendor, state: Arc<dyn StateIo>) -> StateFile {
        StateFile {
            vendor,
            path: state_path(&self.path, vendor),
            temp: temp_path(&self.path, vendor),
            state,
            changes: AtomicU64::new(0),
            saved: Mutex::new(0),
        }
    }
}

fn state_path(dir: &Path, vendor: Vendor) -> PathBuf {
    dir.join(format!("{}.json", vendor.name()))
}

fn temp_path(dir: &Path, vendor: Vendor) -> PathBuf {
    dir.join(format!("{}.json.tmp", vendor.name()))
}

/// Opens and locks `<dir>/lock` without waiting.
fn lock(dir: &Path) -> io::Result<File> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "the sandbox state directory {} is in use by another sandbox (one holds {}); \
                 stop it, or choose another directory with {STATE_DIR_VAR}",
                dir.display(),
                path.display()
            ),
        )),
        Err(TryLockError::Error(e)) => Err(io::Error::new(
            e.kind(),
            format!("cannot lock {}: {e}", path.display()),
        )),
    }
}

/// One vendor's state file, and its store.
pub(crate) struct StateFile {
    vendor: Vendor,
    path: PathBuf,
    temp: PathBuf,
    state: Arc<dyn StateIo>,
    /// Changes asked to be saved so far (each [`StateFile::save`] call takes the next number).
    changes: AtomicU64,
    /// The last change number a finished save holds. Locked from a snapshot to the end of its
    /// write, so files are written in snapshot order.
    saved: Mutex<u64>,
}

impl StateFile {
    /// Fills the store from the file; a missing file leaves it as it is (empty).
    ///
    /// # Errors
    /// A file that cannot be read, or is not this vendor's state in [`STATE_FORMAT`] (kind
    /// `InvalidData`), naming the file and how to start afresh.
    pub(crate) fn load(&self) -> io::Result<()> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(self.invalid("it is not UTF-8 text"));
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot read the sandbox state file {}: {e}; {RESET_HINT}",
                        self.path.display()
                    ),
                ));
            }
        };
        let header: Header = serde_json::from_str(&text)
            .map_err(|e| self.invalid(&format!("it is not a sandbox state file ({e})")))?;
        match header.format {
            Some(format) if format == u64::from(STATE_FORMAT) => {}
            Some(format) => {
                return Err(self.invalid(&format!(
                    "it is in format {format}, and this sandbox reads format {STATE_FORMAT}"
                )));
            }
            None => return Err(self.invalid("it names no `format`: not a sandbox state file")),
        }
        let vendor = self.vendor.name();
        match header.vendor.as_deref() {
            Some(name) if name == vendor => {}
            Some(name) => {
                return Err(self.invalid(&format!(
                    "it holds the state of `{name}`, not of `{vendor}`"
                )));
            }
            None => return Err(self.invalid("it names no `vendor`: not a sandbox state file")),
        }
        self.state
            .restore(&text)
            .map_err(|e| self.invalid(&format!("its `state` is not {vendor}'s ({e})")))
    }

    fn invalid(&self, why: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "sandbox state file {}: {why}; {RESET_HINT}",
                self.path.display()
            ),
        )
    }

    /// Makes sure the file holds the store as it is now (every change made before this call),
    /// written atomically: a temporary file in the same directory, synced, renamed over the
    /// file (and the directory synced, on Unix).
    ///
    /// Group commit: calls that arrive while a save is being written wait for it, and the
    /// first of them then saves once for all (its snapshot holds every change made before
    /// any of them was called). So N writes in flight cost about one save, not N.
    ///
    /// # Errors
    /// What failed, naming the file.
    pub(crate) fn save(&self) -> io::Result<()> {
        let change = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        let mut saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        if *saved >= change {
            // A save whose snapshot came after this change was written meanwhile.
            return Ok(());
        }
        // Every change numbered up to here was made before this point: the snapshot holds it.
        let covers = self.changes.load(Ordering::SeqCst);
        let bytes = self.state.snapshot(self.vendor.name()).map_err(|e| {
            io::Error::other(format!(
                "cannot encode the {} state for {}: {e}",
                self.vendor,
                self.path.display()
            ))
        })?;
        self.write(&bytes).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot save the {} state to {}: {e}",
                    self.vendor,
                    self.path.display()
                ),
            )
        })?;
        *saved = covers;
        Ok(())
    }

    fn write(&self, bytes: &[u8]) -> io::Result<()> {
        let mut temp = File::create(&self.temp)?;
        temp.write_all(bytes)?;
        temp.sync_all()?;
        drop(temp);
        fs::rename(&self.temp, &self.path)?;
        match self.path.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// What [`reset`] deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// The state directory, absolute. It is left in place (it may hold other files).
    pub dir: PathBuf,
    /// The files deleted: the vendors' state files, leftovers of interrupted saves and the
    /// lock file, in that order.
    pub files: Vec<PathBuf>,
}

impl Removed {
    /// Whether there was nothing to delete.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// How many vendor state files were deleted (leftovers and the lock file not counted).
    pub fn state_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
            .count()
    }
}

/// Forgets everything a persistent sandbox on `dir` remembers: deletes exactly the files the
/// sandbox owns in it — `<vendor>.json` for every vendor, `<vendor>.json.tmp` left by an
/// interrupted save, and `lock` — and nothing else. A missing directory is nothing to do.
///
/// # Errors
/// A directory a running sandbox uses (its lock is held: nothing is deleted), or a file that
/// could not be deleted, named.
pub fn reset(dir: impl AsRef<Path>) -> io::Result<Removed> {
    let dir = std::path::absolute(dir.as_ref())?;
    let mut removed = Removed {
        dir: dir.clone(),
        files: Vec::new(),
    };
    match fs::metadata(&dir) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("cannot reach {}: {e}", dir.display()),
            ));
        }
    }
    let lock_path = dir.join(LOCK_FILE);
    let had_lock = lock_path.exists();
    let held = lock(&dir)?;
    let owned = Vendor::ALL
        .iter()
        .map(|&v| state_path(&dir, v))
        .chain(Vendor::ALL.iter().map(|&v| temp_path(&dir, v)))
        .chain([lock_path.clone()]);
    // The lock file goes last, while still held: a sandbox starting meanwhile is refused.
    for path in owned {
        match fs::remove_file(&path) {
            // A lock file `lock` made just now is not something the caller had.
            Ok(()) if path == lock_path && !had_lock => {}
            Ok(()) => removed.files.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot delete {}: {e}", path.display()),
                ));
            }
        }
    }
    drop(held);
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_directory_is_the_variable_when_set_and_not_empty() {
        assert_eq!(state_dir_from(None), Path::new(".roster/sandbox"));
        assert_eq!(
            state_dir_from(Some("".into())),
            Path::new(DEFAULT_STATE_DIR)
        );
        assert_eq!(
            state_dir_from(Some("/tmp/elsewhere".into())),
            Path::new("/tmp/elsewhere")
        );
    }
}
