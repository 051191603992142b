//! The byte format the fuzz inputs are decoded from: a [`Reader`] that
//! never fails (it reads zeros once the input runs out) and a [`Writer`]
//! that encodes values so that the reader gives them back, for the seed
//! corpora.
//!
//! An integer is one width byte (its low two bits: 1, 2, 4 or 8 bytes
//! follow, little-endian, sign-extended), so that small values, which
//! reach the interesting cases most often, take few bytes.

/// Reads fuzz input; past the end every read gives zero.
///
/// ```
/// use gowheel_compat_tests::fuzzing::{Reader, Writer};
///
/// let mut writer = Writer::default();
/// writer.byte(7);
/// writer.int(-300);
/// writer.int(i64::MAX);
/// let bytes = writer.into_bytes();
/// let mut reader = Reader::new(&bytes);
/// assert_eq!((reader.byte(), reader.int(), reader.int()), (7, -300, i64::MAX));
/// assert!(reader.is_empty());
/// assert_eq!(reader.int(), 0);
/// ```
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader of `data`.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&first, rest)) => {
                self.data = rest;
                first
            }
            None => 0,
        }
    }

    /// The next byte, as a flag (its low bit).
    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// The next integer (see the module doc), or 0.
    pub fn int(&mut self) -> i64 {
        let width = WIDTHS[usize::from(self.byte() & 3)];
        let mut bytes = [0u8; 8];
        for byte in &mut bytes[..width] {
            *byte = self.byte();
        }
        // Sign-extend from the top byte read.
        let shift = 64 - 8 * width as u32;
        (i64::from_le_bytes(bytes) << shift) >> shift
    }

    /// The next integer as a `u64` (its bits).
    pub fn uint(&mut self) -> u64 {
        self.int() as u64
    }
}

/// The widths a width byte selects.
const WIDTHS: [usize; 4] = [1, 2, 4, 8];

/// Writes fuzz input that a [`Reader`] reads back.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// Appends a byte.
    pub fn byte(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    /// Appends a flag.
    pub fn flag(&mut self, flag: bool) {
        self.byte(u8::from(flag));
    }

    /// Appends an integer in the fewest bytes that give it back.
    pub fn int(&mut self, value: i64) {
        let (kind, width) = WIDTHS
            .iter()
            .enumerate()
            .find(|&(_, &width)| {
                let shift = 64 - 8 * width as u32;
                (value << shift) >> shift == value
            })
            .map(|(kind, &width)| (kind, width))
            .unwrap_or((3, 8));
        self.byte(kind as u8);
        self.bytes.extend_from_slice(&value.to_le_bytes()[..width]);
    }

    /// Appends an unsigned integer (its bits, as [`Reader::uint`] reads).
    pub fn uint(&mut self, value: u64) {
        self.int(value as i64);
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}
