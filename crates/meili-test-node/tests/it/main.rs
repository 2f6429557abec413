//! Integration tests of the test node: one binary (modules below), each test starting its own
//! node in-process on a free port.

mod conformance;
mod faults;
