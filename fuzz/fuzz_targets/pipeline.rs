//! The whole pipeline on arbitrary bytes (read as lossy UTF-8), linted under each file name kind
//! (`p.json`, `t.yaml`, `main.tf`, `x.tf.json`, `serverless.yml`): no panic, every finding's
//! spans inside the text, every output format rendered, every fix applied.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::pipeline(data);
});
