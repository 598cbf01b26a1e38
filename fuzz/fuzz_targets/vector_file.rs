//! Fuzz target `vector_file`: its body is `twofold_testkit::targets`' of that name.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use twofold_testkit::targets::by_name;

fuzz_target!(|data: &[u8]| (by_name("vector_file").expect("a listed target").run)(data));
