//! The YAML front end on arbitrary bytes (read as lossy UTF-8): parsing never panics, every
//! span in the documents or the error is a char-boundary range of the text, and the fast reader
//! gives exactly what the builder over libyaml-safer's events gives.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::yaml(data);
});
