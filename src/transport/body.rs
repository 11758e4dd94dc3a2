//! Response bodies: decoded here (gzip, deflate, br) rather than inside reqwest, so the bytes on
//! the wire can be counted, and written to memory or a file within a size limit.

use std::io::{self, Write};

/// The response codings we ask for, as Node's `fetch` (and so calibre@7) asks for them.
pub const ACCEPTED_CODINGS: &str = "gzip, deflate, br";

/// How a body came, from its `Content-Encoding`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Coding {
  #[default]
  Identity,
  Gzip,
  /// HTTP's "deflate" is the zlib format (RFC 9110), as reqwest and undici decode it.
  Deflate,
  Brotli,
}

impl Coding {
  /// Anything we did not ask for (or `identity`) is passed through as it is.
  pub fn from_header(value: Option<&str>) -> Coding {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
      Some("gzip" | "x-gzip") => Coding::Gzip,
      Some("deflate") => Coding::Deflate,
      Some("br") => Coding::Brotli,
      _ => Coding::Identity,
    }
  }

  pub fn name(self) -> &'static str {
    match self {
      Coding::Identity => "identity",
      Coding::Gzip => "gzip",
      Coding::Deflate => "deflate",
      Coding::Brotli => "br",
    }
  }
}

/// Why a body could not be written where it goes (as opposed to not decoded).
#[derive(Debug)]
pub enum SinkError {
  /// More than the limit, decoded.
  TooLarge,
  /// The file could not be written.
  Write(io::Error),
}

impl std::fmt::Display for SinkError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      SinkError::TooLarge => f.write_str("larger than the limit"),
      SinkError::Write(e) => e.fmt(f),
    }
  }
}

impl std::error::Error for SinkError {}

/// A decoded body's destination: at most `max` bytes, counted.
pub struct Sink<W> {
  pub inner: W,
  pub written: u64,
  max: u64,
}

impl<W: Write> Sink<W> {
  pub fn new(inner: W, max: u64) -> Sink<W> {
    Sink {
      inner,
      written: 0,
      max,
    }
  }
}

impl<W: Write> Write for Sink<W> {
  fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
    if self.written + buf.len() as u64 > self.max {
      return Err(io::Error::other(SinkError::TooLarge));
    }
    self
      .inner
      .write_all(buf)
      .map_err(|e| io::Error::other(SinkError::Write(e)))?;
    self.written += buf.len() as u64;
    Ok(buf.len())
  }

  fn flush(&mut self) -> io::Result<()> {
    self
      .inner
      .flush()
      .map_err(|e| io::Error::other(SinkError::Write(e)))
  }
}

/// What went wrong with a body: the sink's own failure, or bytes that are not what their
/// `Content-Encoding` says.
#[derive(Debug)]
pub enum BodyError {
  Sink(SinkError),
  Undecodable(io::Error),
}

impl From<io::Error> for BodyError {
  fn from(e: io::Error) -> BodyError {
    if e.get_ref().is_some_and(|inner| inner.is::<SinkError>()) {
      let inner = e.into_inner().expect("checked above");
      match inner.downcast::<SinkError>() {
        Ok(sink) => BodyError::Sink(*sink),
        Err(other) => BodyError::Undecodable(io::Error::other(other)),
      }
    } else {
      BodyError::Undecodable(e)
    }
  }
}

/// Decodes a body chunk by chunk into a `Sink`.
pub enum Decoder<W: Write> {
  Identity(Sink<W>),
  Gzip(flate2::write::GzDecoder<Sink<W>>),
  Deflate(flate2::write::ZlibDecoder<Sink<W>>),
  Brotli(Box<brotli_decompressor::DecompressorWriter<Sink<W>>>),
}

impl<W: Write> Decoder<W> {
  pub fn new(coding: Coding, sink: Sink<W>) -> Decoder<W> {
    match coding {
      Coding::Identity => Decoder::Identity(sink),
      Coding::Gzip => Decoder::Gzip(flate2::write::GzDecoder::new(sink)),
      Coding::Deflate => Decoder::Deflate(flate2::write::ZlibDecoder::new(sink)),
      Coding::Brotli => Decoder::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(
        sink, 8192,
      ))),
    }
  }

  pub fn write(&mut self, chunk: &[u8]) -> Result<(), BodyError> {
    let written = match self {
      Decoder::Identity(sink) => sink.write_all(chunk),
      Decoder::Gzip(d) => d.write_all(chunk),
      Decoder::Deflate(d) => d.write_all(chunk),
      Decoder::Brotli(d) => d.write_all(chunk),
    };
    written.map_err(BodyError::from)
  }

  /// The sink, once the whole body is through; a stream that ends early is undecodable.
  pub fn finish(self) -> Result<Sink<W>, BodyError> {
    match self {
      Decoder::Identity(sink) => Ok(sink),
      Decoder::Gzip(d) => d.finish().map_err(BodyError::from),
      Decoder::Deflate(d) => d.finish().map_err(BodyError::from),
      Decoder::Brotli(mut d) => {
        d.close().map_err(BodyError::from)?;
        d.into_inner().map_err(|_| {
          BodyError::Undecodable(io::Error::new(
            io::ErrorKind::InvalidData,
            "the brotli stream ended early",
          ))
        })
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn the_limit_applies_to_decoded_bytes_and_is_told_apart_from_bad_data() {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&[b' '; 100_000]).unwrap();
    let packed = gzip.finish().unwrap();
    let mut small = Decoder::new(Coding::Gzip, Sink::new(Vec::new(), 50_000));
    assert!(matches!(
      small.write(&packed),
      Err(BodyError::Sink(SinkError::TooLarge))
    ));
    let mut enough = Decoder::new(Coding::Gzip, Sink::new(Vec::new(), 100_000));
    enough.write(&packed).unwrap();
    assert_eq!(enough.finish().ok().unwrap().inner.len(), 100_000);
    let mut wrong = Decoder::new(Coding::Gzip, Sink::new(Vec::new(), 100));
    let failed = wrong
      .write(b"{\"data\":{}}")
      .and_then(|()| wrong.finish().map(drop));
    assert!(matches!(failed, Err(BodyError::Undecodable(_))));
    assert_eq!(Coding::from_header(Some(" GZIP")), Coding::Gzip);
    assert_eq!(Coding::from_header(Some("zstd")), Coding::Identity);
  }
}
