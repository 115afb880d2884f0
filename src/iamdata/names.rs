//! How the reference's names compare, shared by `build.rs` (which includes this file to build
//! the tables) and the lookups: ASCII-case-insensitively. The tables' lists are sorted by
//! [`cmp_ci`]; the hash indexes hash case-insensitively, eight bytes at a time ([`fold`]), so a
//! name is found whatever its case.

use std::cmp::Ordering;

/// Orders ASCII-case-insensitively; the tables are sorted this way (the generator checks that
/// all keys are ASCII, so this agrees with its JavaScript lower-case sort).
pub fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The hash of nothing; fold names into it with [`fold`].
pub const START: u64 = 0xcbf2_9ce4_8422_2325;

/// Folds `bytes` into `hash` eight at a time, FNV-style, ASCII-case-insensitively: each byte
/// has its `0x20` bit set, which makes upper-case letters lower-case (and leaves digits, `:`,
/// `-`, `.` as they are; the few other bytes it merges only cost a probe).
pub fn fold(mut hash: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        hash = (hash ^ (word | 0x2020_2020_2020_2020)).wrapping_mul(PRIME);
    }
    for &b in chunks.remainder() {
        hash = (hash ^ u64::from(b | 0x20)).wrapping_mul(PRIME);
    }
    hash
}

/// The slot a hash starts probing at, in a table of `len` slots (a power of two).
pub const fn slot(hash: u64, len: usize) -> usize {
    // The high bits mix best in FNV; fold them down.
    ((hash ^ (hash >> 32)) as usize) & (len - 1)
}
