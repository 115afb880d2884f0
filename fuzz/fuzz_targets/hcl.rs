//! The Terraform front end for HCL native syntax (`.tf`) on arbitrary bytes (read as lossy
//! UTF-8): extraction never panics, and every span it reports is a char-boundary range of the text.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::hcl(data);
});
