// Checks the lazy-loading stubs (cli/lazy/) the way helios uses them: this program is linked with the
// generated stubs instead of libcurl, so each call below goes through a stub, loads libcurl.so.4 on the
// first call and jumps to the real function with every argument intact (curl_easy_setopt is variadic).

#include <curl/curl.h>
#include <link.h>

#include <cstdio>
#include <cstring>

namespace {

bool curl_loaded()
{
  bool found = false;
  dl_iterate_phdr(
    [](dl_phdr_info* info, size_t, void* data) {
      if (std::strstr(info->dlpi_name, "libcurl") != nullptr) {
        *static_cast<bool*>(data) = true;
      }
      return 0;
    },
    &found);
  return found;
}

}  // namespace

int main()
{
  if (curl_loaded()) {
    std::fprintf(stderr, "lazy_check: libcurl is loaded before its first call\n");
    return 1;
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr || !curl_loaded()) {
    std::fprintf(stderr, "lazy_check: curl_easy_init through the stub failed\n");
    return 1;
  }
  // A string, a long and a pointer through the variadic curl_easy_setopt.
  if (curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/") != CURLE_OK ||
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 250L) != CURLE_OK ||
      curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK) {
    std::fprintf(stderr, "lazy_check: curl_easy_setopt through the stub failed\n");
    return 1;
  }
  // An invalid option must still be refused by the real function (the arguments arrived intact).
  if (curl_easy_setopt(easy, static_cast<CURLoption>(999999), 1L) == CURLE_OK) {
    std::fprintf(stderr, "lazy_check: an unknown option was accepted; arguments were garbled\n");
    return 1;
  }
  const char* text = curl_easy_strerror(CURLE_COULDNT_CONNECT);
  curl_easy_cleanup(easy);
  if (text == nullptr || std::strlen(text) == 0) {
    std::fprintf(stderr, "lazy_check: curl_easy_strerror through the stub failed\n");
    return 1;
  }
  std::printf("lazy_check: ok (%s)\n", text);
  return 0;
}
