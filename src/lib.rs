//! iamlint: finds mistakes and risky grants in AWS IAM policies wherever they live in a repository.
pub mod iamdata;
