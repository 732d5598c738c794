//! Atomic saves: a file is written in full under a temporary name beside its
//! target, flushed and synced to disk, then renamed over the target.
//!
//! The rename is atomic within a file system, so a reader sees either the
//! old file or the complete new one, never a mix, and a failure (a full
//! disk, a killed process, an error in the writer) leaves the old file as it
//! was. Temporary names are unique (`tempfile`'s `NamedTempFile`), so any
//! number of saves of one path, from threads or processes, can run at once:
//! each completes, and the last rename wins. A temporary file whose save
//! failed is removed; one left by a killed process is named
//! `.{name}.{random}.tmp`.
//!
//! Only regular files are written: a symbolic link is followed (its target
//! is replaced, the link kept), and a folder, a device or a FIFO as the
//! output is an error ([`resolve_target`]).

use crate::error::{Error, ErrorKind, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where a save of `path` lands, checked before anything is written:
/// symbolic links are followed (the file they point to is replaced, the
/// link stays), the target must be a regular file or absent (a folder, a
/// device such as `/dev/full`, a FIFO or a socket is an error: a save
/// replaces the whole file by rename), and its folder must exist.
pub fn resolve_target(path: &Path) -> Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target).map_err(|e| {
                    Error::io(format!("cannot read the link `{}`", target.display()), e)
                })?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(m) if m.is_file() => return check_folder(path, target),
            Ok(m) => {
                let what = if m.is_dir() {
                    "a folder"
                } else {
                    "not a regular file (a device, a FIFO or a socket)"
                };
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "cannot write `{}`: it is {what}; w2v writes whole files and replaces them by rename",
                        path.display()
                    ),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return check_folder(path, target);
            }
            Err(e) => return Err(Error::io(format!("cannot write `{}`", path.display()), e)),
        }
    }
    Err(Error::new(
        ErrorKind::Io,
        format!(
            "cannot write `{}`: too many levels of symbolic links",
            path.display()
        ),
    ))
}

/// `target` if its folder exists (`path` names it in the error).
fn check_folder(path: &Path, target: PathBuf) -> Result<PathBuf> {
    if target.file_name().is_none() {
        return Err(Error::invalid(format!(
            "output path `{}` has no file name",
            path.display()
        )));
    }
    let dir = folder_of(&target);
    if !dir.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "cannot create `{}`: the folder `{}` does not exist",
                path.display(),
                dir.display()
            ),
        ));
    }
    Ok(target)
}

fn folder_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// [`resolve_target`], and a probe that a file can be created in the
/// target's folder (a temporary one, removed at once): to check an output
/// before hours of work rather than after.
pub fn check_writable(path: &Path) -> Result<PathBuf> {
    let target = resolve_target(path)?;
    tempfile::Builder::new()
        .prefix(".w2v-probe.")
        .tempfile_in(folder_of(&target))
        .map_err(|e| Error::io(format!("cannot create `{}`", path.display()), plain(e)))?;
    Ok(target)
}

/// `tempfile` names its random temporary path in its errors; a user never
/// sees that name, so keep only the operating system's error.
fn plain(e: std::io::Error) -> std::io::Error {
    match e.raw_os_error() {
        Some(_) => e,
        // tempfile keeps the OS error inside; its kind says the same.
        None if e.get_ref().is_some() => std::io::Error::from(e.kind()),
        None => e,
    }
}

/// Write `path` through `write`, atomically (see the module documentation),
/// at the target [`resolve_target`] finds. `write` receives a buffered
/// writer on the temporary file; the file gets the permissions a newly
/// created file would (`0o666` less the umask).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>,
) -> Result<()> {
    let target = resolve_target(path)?;
    let dir = folder_of(&target);
    let name = target.file_name().unwrap_or(path.as_os_str());
    let ctx = |what: &str| format!("cannot {what} `{}`", path.display());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io(ctx("create"), plain(e)))?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
    write(&mut w).map_err(|e| Error::io(ctx("write"), e))?;
    w.flush().map_err(|e| Error::io(ctx("write"), e))?;
    drop(w);
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(ctx("write"), e))?;
    // On failure `persist` hands the temporary file back; dropping it removes it.
    tmp.persist(&target)
        .map_err(|e| Error::io(ctx("replace"), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temporary file was removed");
    }

    #[cfg(unix)]
    #[test]
    fn saved_files_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"x").unwrap();
        let want = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "as File::create would make it");
    }
}
