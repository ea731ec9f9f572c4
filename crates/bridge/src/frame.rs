//! Frames as native messaging sends them: a 4-byte little-endian length, then that many bytes
//! of JSON. The same framing is used on the app's socket, so the host relays frames unchanged.

use std::io::{ErrorKind, Read, Write};

use crate::error::{Error, Result};

/// The largest frame either way (Chromium's own limit towards the host is 64 MiB; nothing
/// Centime says needs more than a few kilobytes).
pub const MAX_FRAME: usize = 64 * 1024;

/// Reads one frame; `Ok(None)` when the stream ends cleanly between frames. A length over
/// [`MAX_FRAME`] is refused before anything of its body is read.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(Error::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let n = u32::from_le_bytes(len);
    let size = usize::try_from(n).map_err(|_| Error::TooLarge(u64::from(n)))?;
    if size > MAX_FRAME {
        return Err(Error::TooLarge(u64::from(n)));
    }
    let mut body = vec![0u8; size];
    r.read_exact(&mut body)
        .map_err(|e| if e.kind() == ErrorKind::UnexpectedEof { Error::Truncated } else { e.into() })?;
    Ok(Some(body))
}

/// Writes one frame (and flushes: the other end waits for it whole).
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> Result<()> {
    if body.len() > MAX_FRAME {
        return Err(Error::TooLarge(u64::try_from(body.len()).unwrap_or(u64::MAX)));
    }
    let len = u32::try_from(body.len()).map_err(|_| Error::TooLarge(u64::MAX))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(body)?;
    w.flush()?;
    Ok(())
}

/// Writes `value` as one JSON frame.
pub fn write_json(w: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    write_frame(w, &serde_json::to_vec(value)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_frame_round_trips_and_eof_between_frames_is_clean() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"{\"a\":1}").unwrap();
        write_frame(&mut buf, b"").unwrap();
        let mut r = buf.as_slice();
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"{\"a\":1}");
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"");
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn the_limit_is_64_kib_each_way() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &vec![b' '; MAX_FRAME]).unwrap();
        assert_eq!(read_frame(&mut buf.as_slice()).unwrap().unwrap().len(), MAX_FRAME);
        assert!(matches!(write_frame(&mut Vec::new(), &vec![b' '; MAX_FRAME + 1]), Err(Error::TooLarge(_))));
        // A length over the limit is refused from its 4 bytes alone.
        let over = u32::try_from(MAX_FRAME + 1).unwrap().to_le_bytes();
        assert!(matches!(read_frame(&mut over.as_slice()), Err(Error::TooLarge(n)) if n == 65_537));
        assert!(matches!(read_frame(&mut u32::MAX.to_le_bytes().as_slice()), Err(Error::TooLarge(_))));
    }

    #[test]
    fn a_cut_frame_is_truncated() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"{\"a\":1}").unwrap();
        assert!(matches!(read_frame(&mut &buf[..6]), Err(Error::Truncated)));
        assert!(matches!(read_frame(&mut &buf[..2]), Err(Error::Truncated)));
    }
}
