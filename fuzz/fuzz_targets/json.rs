//! The JSON front end on arbitrary bytes (read as lossy UTF-8): parsing never panics, every
//! span in the tree or the error is a char-boundary range of the text, and the fast reader gives
//! exactly what jsonc-parser gives.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::json(data);
});
