#include "core/yaml_fast_load.hpp"

#include <memory>
#include <vector>

#include <yaml.h>

namespace helios {

namespace {

using YAML::detail::node;

bool simple_text(const std::string& text)
{
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || c == '\t' || c == '\r') {
      return false;
    }
  }
  return true;
}

// yaml-cpp's null spellings for an untagged plain scalar (its IsNullString), which it loads as a null node.
bool null_text(const char* s, std::size_t n)
{
  const std::string_view v(s, n);
  return v == "~" || v == "null" || v == "Null" || v == "NULL";
}

YAML::Mark mark_of(const yaml_mark_t& m)
{
  YAML::Mark mark;
  mark.pos = static_cast<int>(m.index);  // ASCII text: characters are bytes
  mark.line = static_cast<int>(m.line);
  mark.column = static_cast<int>(m.column);
  return mark;
}

// The tree-building half of yaml-cpp's NodeBuilder, fed by libyaml's events.
class Builder {
public:
  explicit Builder(int max_depth) : m_max_depth(max_depth) {}

  // false: the event is outside what this fast path vouches for.
  bool on_event(const yaml_event_t& e)
  {
    switch (e.type) {
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT: return true;
    case YAML_DOCUMENT_START_EVENT:
      return ++m_documents == 1 && e.data.document_start.version_directive == nullptr &&
             e.data.document_start.tag_directives.start == e.data.document_start.tag_directives.end;
    case YAML_ALIAS_EVENT: return false;
    case YAML_SCALAR_EVENT: {
      const auto& s = e.data.scalar;
      if (s.anchor != nullptr || s.tag != nullptr || e.start_mark.line != e.end_mark.line) {
        return false;
      }
      const bool plain = s.style == YAML_PLAIN_SCALAR_STYLE;
      if (plain && s.length == 0) {
        return false;  // an empty value: yaml-cpp marks its null at the next token
      }
      if (!plain && s.style != YAML_SINGLE_QUOTED_SCALAR_STYLE && s.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        return false;
      }
      node& n = create(e.start_mark);
      const char* value = reinterpret_cast<const char*>(s.value);
      if (plain && null_text(value, s.length)) {
        n.set_null();
      } else {
        n.set_scalar(std::string(value, s.length));
        n.set_tag(plain ? "?" : "!");
      }
      return push(n) && pop();
    }
    case YAML_SEQUENCE_START_EVENT: {
      const auto& s = e.data.sequence_start;
      if (s.anchor != nullptr || s.tag != nullptr) {
        return false;
      }
      node& n = create(e.start_mark);
      n.set_tag("?");
      n.set_type(YAML::NodeType::Sequence);
      n.set_style(s.style == YAML_FLOW_SEQUENCE_STYLE ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
      return push(n);
    }
    case YAML_MAPPING_START_EVENT: {
      const auto& m = e.data.mapping_start;
      if (m.anchor != nullptr || m.tag != nullptr) {
        return false;
      }
      node& n = create(e.start_mark);
      n.set_type(YAML::NodeType::Map);
      n.set_tag("?");
      n.set_style(m.style == YAML_FLOW_MAPPING_STYLE ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
      return push(n);
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: return pop();
    case YAML_NO_EVENT: return false;
    }
    return false;
  }

  // The root as a YAML::Node. yaml-cpp offers no public constructor from a detail::node; its public
  // iterator does make one from a node it points at.
  [[nodiscard]] std::optional<YAML::Node> root() const
  {
    if (m_root == nullptr || !m_stack.empty()) {
      return std::nullopt;
    }
    std::vector<node*> one{m_root};
    const YAML::detail::iterator_base<YAML::detail::iterator_value> it(YAML::detail::node_iterator(one.begin()), m_memory);
    return YAML::Node(*it);
  }

private:
  struct Frame {
    node* collection;
    node* key;  // a map's key awaiting its value
    bool awaiting_value;
  };

  node& create(const yaml_mark_t& mark)
  {
    node& n = m_memory->create_node();
    n.set_mark(mark_of(mark));
    return n;
  }

  bool push(node& n)
  {
    if (!m_stack.empty()) {
      const Frame& parent = m_stack.back();
      // a collection as a mapping key: yaml-cpp's marks for those are its own
      if (parent.collection->type() == YAML::NodeType::Map && !parent.awaiting_value && n.type() != YAML::NodeType::Scalar &&
          n.type() != YAML::NodeType::Null) {
        return false;
      }
    }
    m_stack.push_back(Frame{&n, nullptr, false});
    return static_cast<int>(m_stack.size()) <= m_max_depth + 1;
  }

  bool pop()
  {
    if (m_stack.empty()) {
      return false;
    }
    node& n = *m_stack.back().collection;
    m_stack.pop_back();
    if (m_stack.empty()) {
      if (m_root != nullptr) {
        return false;
      }
      m_root = &n;
      return true;
    }
    Frame& parent = m_stack.back();
    if (parent.collection->type() == YAML::NodeType::Sequence) {
      parent.collection->push_back(n, m_memory);
    } else if (!parent.awaiting_value) {
      parent.key = &n;
      parent.awaiting_value = true;
    } else {
      parent.collection->insert(*parent.key, n, m_memory);
      parent.key = nullptr;
      parent.awaiting_value = false;
    }
    return true;
  }

  int m_max_depth;
  int m_documents = 0;
  YAML::detail::shared_memory_holder m_memory = std::make_shared<YAML::detail::memory_holder>();
  std::vector<Frame> m_stack;
  node* m_root = nullptr;
};

}  // namespace

std::optional<YAML::Node> fast_yaml_load(const std::string& text, int max_depth)
{
  if (!simple_text(text)) {
    return std::nullopt;
  }
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    return std::nullopt;
  }
  std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> guard(&parser, yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  Builder builder(max_depth);
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      return std::nullopt;
    }
    std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> event_guard(&event, yaml_event_delete);
    if (!builder.on_event(event)) {
      return std::nullopt;
    }
    if (event.type == YAML_STREAM_END_EVENT) {
      break;
    }
  }
  return builder.root();
}

}  // namespace helios
