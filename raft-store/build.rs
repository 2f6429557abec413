//! Compiles `proto/miroir/raft/v1/raft.proto` with a vendored `protoc` (no system protoc needed).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut prost_config = prost_build::Config::new();
    prost_config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    prost_config.bytes(["."]);
    tonic_prost_build::configure().compile_with_config(
        prost_config,
        &["../proto/miroir/raft/v1/raft.proto"],
        &["../proto"],
    )?;
    println!("cargo:rerun-if-changed=../proto");
    Ok(())
}
