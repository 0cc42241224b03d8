// The resolver behind the lazy-loading stubs that cli/lazy/lazy_stubs.py generates: on the first call of
// a stubbed function it loads the function's library (dlopen by SONAME), looks the function up, patches
// the stub's slot so later calls jump straight there, and returns the address for the stub to jump to.
// Names and libraries are NUL-separated strings in the generated tables.

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

extern "C" {
extern void* helios_lazy_slots[];
extern const unsigned long helios_lazy_symbol_count;
extern const unsigned long helios_lazy_library_count;
extern const unsigned long helios_lazy_symbol_library[];
extern const char helios_lazy_symbol_names[];
extern const char helios_lazy_library_names[];
void* helios_lazy_resolve(unsigned long index);
}

namespace {

// The index-th of several NUL-terminated strings laid end to end.
const char* nth_string(const char* strings, unsigned long index)
{
  const char* s = strings;
  for (unsigned long i = 0; i < index; ++i) {
    s += std::strlen(s) + 1;
  }
  return s;
}

[[noreturn]] void die(const char* what, const char* name, const char* library)
{
  const char* reason = dlerror();
  std::fprintf(stderr, "helios: error: cannot %s %s from %s: %s\n  hint: install the package that provides %s "
                       "(scripts/bootstrap lists them)\n",
               what, name, library, reason != nullptr ? reason : "unknown reason", library);
  std::_Exit(1);
}

}  // namespace

extern "C" void* helios_lazy_resolve(unsigned long index)
{
  static std::mutex mutex;
  static std::vector<void*> handles(helios_lazy_library_count, nullptr);
  std::lock_guard<std::mutex> lock(mutex);
  const unsigned long library = helios_lazy_symbol_library[index];
  const char* library_name = nth_string(helios_lazy_library_names, library);
  const char* name = nth_string(helios_lazy_symbol_names, index);
  if (handles[library] == nullptr) {
    handles[library] = dlopen(library_name, RTLD_NOW | RTLD_GLOBAL);
    if (handles[library] == nullptr) {
      die("load", name, library_name);
    }
  }
  void* address = dlsym(handles[library], name);
  if (address == nullptr) {
    die("find", name, library_name);
  }
  __atomic_store_n(&helios_lazy_slots[index], address, __ATOMIC_RELEASE);
  return address;
}
