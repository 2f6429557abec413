//! Compiles `proto/miroir/admin/v1/admin.proto` with a vendored `protoc` (no system protoc).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut prost_config = prost_build::Config::new();
    prost_config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    // `miroir-ctl --output json` prints the messages as they are.
    prost_config.message_attribute(".", "#[derive(serde::Serialize)]");
    tonic_prost_build::configure().compile_with_config(
        prost_config,
        &["../../proto/miroir/admin/v1/admin.proto"],
        &["../../proto"],
    )?;
    println!("cargo:rerun-if-changed=../../proto/miroir/admin");
    Ok(())
}
