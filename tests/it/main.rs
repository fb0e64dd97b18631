//! The one integration-test binary (tests are modules, not one binary each).

mod alerts;
mod build;
mod cases;
mod cli;
mod corpus;
mod graph;
mod helm;
mod hostile;
mod index;
mod io;
mod layering;
mod model;
mod pods;
mod positions;
mod prometheus;
mod property;
mod recovery;
mod reference;
mod rollouts;
mod roundtrip;
mod slo;
mod support;
mod traffic;
mod workflows;
mod writes;
mod yaml;
