//! One module per subcommand; each declares its `Args` and one `execute` function.

pub mod demo;
pub mod inputs;
pub mod metadata;
pub mod organize;
pub mod scan;
