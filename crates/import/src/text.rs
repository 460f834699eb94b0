//! Text encodings of exported CSV files: UTF-8, UTF-8 with a byte-order
//! mark (Excel's "CSV UTF-8"), and GBK/GB18030 (Excel's default "CSV" on a
//! Chinese Windows).

/// The encoding a file was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 after a byte-order mark (EF BB BF).
    Utf8Bom,
    /// GB18030, of which GBK and GB2312 are subsets.
    Gb18030,
}

impl SourceEncoding {
    /// The name users know the encoding by.
    pub fn label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "UTF-8",
            SourceEncoding::Utf8Bom => "UTF-8 with BOM",
            SourceEncoding::Gb18030 => "GBK/GB18030",
        }
    }
}

/// Decoded text and the encoding it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// Where it came from.
    pub encoding: SourceEncoding,
}

/// Why bytes are not text in any encoding mcstress reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Neither UTF-8 nor GB18030: the first line where GB18030 fails.
    #[error(
        "line {line}: not text in UTF-8 or GBK/GB18030 (byte {byte:#04x} at offset {offset}); \
         save the file as CSV UTF-8 or CSV (GBK)"
    )]
    NotText {
        /// Line (from 1) of the first undecodable byte.
        line: usize,
        /// Byte offset of the first undecodable byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A UTF-16 byte-order mark: Excel's "Unicode text", which is not CSV.
    #[error("a UTF-16 file (Excel's \"Unicode text\"); save the file as CSV UTF-8 or CSV (GBK)")]
    Utf16,
}

/// Decodes the bytes of a text file. A UTF-8 byte-order mark wins; then
/// valid UTF-8 is taken as UTF-8 (a GBK file of Chinese text is almost
/// never valid UTF-8, while ASCII is both); then GB18030, which must decode
/// without a single replacement.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(t) => Ok(Decoded { text: t.to_string(), encoding: SourceEncoding::Utf8Bom }),
            Err(e) => Err(not_text(bytes, 3 + e.valid_up_to())),
        };
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError::Utf16);
    }
    if let Ok(t) = std::str::from_utf8(bytes) {
        return Ok(Decoded { text: t.to_string(), encoding: SourceEncoding::Utf8 });
    }
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut read = 0;
    loop {
        text.reserve(bytes.len() - read + 16);
        let (result, n) = decoder.decode_to_string_without_replacement(&bytes[read..], &mut text, true);
        read += n;
        match result {
            encoding_rs::DecoderResult::InputEmpty => break,
            encoding_rs::DecoderResult::OutputFull => continue,
            encoding_rs::DecoderResult::Malformed(bad, _) => {
                return Err(not_text(bytes, read.saturating_sub(bad as usize)));
            }
        }
    }
    Ok(Decoded { text, encoding: SourceEncoding::Gb18030 })
}

fn not_text(bytes: &[u8], offset: usize) -> DecodeError {
    let offset = offset.min(bytes.len().saturating_sub(1));
    DecodeError::NotText {
        line: 1 + bytes[..offset].iter().filter(|b| **b == b'\n').count(),
        offset,
        byte: bytes.get(offset).copied().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn a_gbk_export_is_read_as_gbk() {
        let text = "县(区)代码,乡(镇),贷款余额（元）\r\n530621,龙头山镇,50000\r\n";
        let d = decode(&gbk(text)).unwrap();
        assert_eq!(d.encoding, SourceEncoding::Gb18030);
        assert_eq!(d.text, text);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_named() {
        let d = decode("\u{feff}县,乡".as_bytes()).unwrap();
        assert_eq!(d, Decoded { text: "县,乡".into(), encoding: SourceEncoding::Utf8Bom });
        assert_eq!(decode("县,乡".as_bytes()).unwrap().encoding, SourceEncoding::Utf8);
    }

    #[test]
    fn bytes_that_are_no_text_name_their_line() {
        let mut bytes = gbk("县,乡\n鲁甸县,龙头山镇\n");
        // 0xFF leads no character in GB18030.
        bytes.extend_from_slice(&[0xFF, b'\n']);
        assert_eq!(
            decode(&bytes),
            Err(DecodeError::NotText { line: 3, offset: bytes.len() - 2, byte: 0xFF })
        );
        assert_eq!(decode(&[0xFF, 0xFE, b'a', 0]), Err(DecodeError::Utf16));
    }
}
