# Build flags shared by every native target: optimise hard, hide symbols, no C++ exceptions
# (errors are thrown as JS exceptions through Node-API instead).
{
  "target_defaults": {
    "default_configuration": "Release",
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc": ["-std=c++17", "-fno-exceptions", "-fvisibility=hidden", "-Wall", "-Wextra"],
    "configurations": {
      "Release": {
        "cflags!": ["-O2", "-O0"],
        "cflags_cc!": ["-O2", "-O0"],
        "cflags": ["-O3"],
        "cflags_cc": ["-O3"],
        "xcode_settings": { "GCC_OPTIMIZATION_LEVEL": "3" }
      },
      "Debug": {
        "defines": ["DEBUG"]
      }
    },
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
      "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
    }
  }
}
