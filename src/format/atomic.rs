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

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Write `path` through `write`, atomically (see the module documentation).
/// `write` receives a buffered writer on the temporary file; the file gets
/// the permissions a newly created file would (`0o666` less the umask).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        Error::invalid(format!("output path `{}` has no file name", path.display()))
    })?;
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
        .map_err(|e| Error::io(ctx("create"), e))?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
    write(&mut w).map_err(|e| Error::io(ctx("write"), e))?;
    w.flush().map_err(|e| Error::io(ctx("write"), e))?;
    drop(w);
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(ctx("write"), e))?;
    // On failure `persist` hands the temporary file back; dropping it removes it.
    tmp.persist(path)
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
