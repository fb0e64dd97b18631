//! The pest parser generated from `grammar/dvc.pest`.
#![allow(missing_docs)]

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/dvc.pest"]
pub struct DvcParser;
