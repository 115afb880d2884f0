//! The hash of the reference's lookup tables: FNV-1a over ASCII-lower-cased bytes, so a name
//! is found whatever its case. `build.rs` includes this file to build the tables with the same
//! function the lookups use.

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
