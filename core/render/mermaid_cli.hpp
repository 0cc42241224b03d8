#pragma once
// Renders Mermaid text to SVG or PNG through @mermaid-js/mermaid-cli (mmdc, from the npm packages
// pinned in package.json) driving Debian's Chromium, with the flags a root, headless, offline machine
// needs. When mmdc or Chromium is missing, the error says how to install them.

#include <string>
#include <vector>

#include "core/error.hpp"

namespace helios::render {

struct MermaidCli {
  std::string mmdc;      // path of the mmdc script
  std::string chromium;  // path of the browser puppeteer starts
};

// Finds mmdc (HELIOS_MMDC, PATH, node_modules/.bin beside the working directory or the source tree) and
// Chromium (HELIOS_CHROMIUM, /usr/bin/chromium, chromium-browser, google-chrome).
Result<MermaidCli> find_mermaid_cli();

struct Diagram {
  std::string mermaid;  // the Mermaid source text
  std::string output;   // where to write the picture; its extension (.svg or .png) picks the format
};

// Renders every diagram with one browser start. A broken diagram fails with its output path named.
Result<void> render_diagrams(const MermaidCli& cli, const std::vector<Diagram>& diagrams);

}  // namespace helios::render
