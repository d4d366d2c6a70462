{
  "includes": ["native/common.gypi"],
  "targets": [
    {
      "target_name": "kadswarm",
      "sources": [
        "native/addon.cc",
        "native/distance.cc",
        "native/table_query.cc",
        "native/udp_socket_set.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"]
    }
  ]
}
