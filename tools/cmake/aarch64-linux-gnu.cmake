# Cross-compiling for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu, tests run under
# Debian's qemu-user (tools/cross_test.sh):
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=tools/cmake/aarch64-linux-gnu.cmake
# Binaries are linked with -static so qemu-aarch64 (and any ARM board) runs them without an
# aarch64 sysroot. Header-only dependencies (Eigen, nlohmann/json, stb, cpp-httplib) come from
# the host's /usr/include; GoogleTest is compiled from /usr/src/googletest (CMakeLists.txt).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
find_program(CRNN_QEMU_AARCH64 qemu-aarch64)
if(CRNN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CRNN_QEMU_AARCH64})
endif()

# Libraries and packages only from the aarch64 tree; headers also from the host's /usr
# (architecture-independent header-only packages), programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
