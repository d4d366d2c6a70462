// UdpSocketSet: many UDP sockets read in batches (epoll + recvmmsg). Linux only: elsewhere
// DefineUdpSocketSet exports nothing and the stress runs use Node's dgram.
#pragma once

#include <napi.h>

namespace kadswarm {

void DefineUdpSocketSet(Napi::Env env, Napi::Object exports);

}  // namespace kadswarm
