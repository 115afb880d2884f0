//! How the reference's names compare, shared by `build.rs` (which includes this file to build
//! the tables) and the lookups: ASCII-case-insensitively. The tables' lists are sorted by
//! [`cmp_ci`]; the hash indexes hash with FNV-1a over ASCII-lower-cased bytes ([`fold`]), so a
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

/// Folds `bytes`, lower-cased, into `hash`.
pub const fn fold(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i].to_ascii_lowercase() as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The slot a hash starts probing at, in a table of `len` slots (a power of two).
pub const fn slot(hash: u64, len: usize) -> usize {
    // The high bits mix best in FNV; fold them down.
    ((hash ^ (hash >> 32)) as usize) & (len - 1)
}
