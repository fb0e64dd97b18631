//! The one integration-test binary (tests are modules, not one binary each).

mod build;
mod cases;
mod cli;
mod graph;
mod helm;
mod hostile;
mod io;
mod layering;
mod model;
mod prometheus;
mod property;
mod recovery;
mod reference;
mod roundtrip;
mod support;
mod yaml;
