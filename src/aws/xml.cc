#include "aws/xml.h"

#include <charconv>

namespace tributary::aws {

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp <= 0x10FFFF) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Finds the next start tag <name> or <name attr...> or <prefix:name ...> at or after `from`;
// returns the position just after '>' and sets *self_closing; npos if none.
size_t FindOpen(std::string_view xml, std::string_view name, size_t from, size_t* tag_start, bool* self_closing) {
  while (true) {
    size_t lt = xml.find('<', from);
    if (lt == std::string_view::npos) return lt;
    size_t p = lt + 1;
    size_t name_end = xml.find_first_of(" \t\r\n/>", p);
    if (name_end == std::string_view::npos) return std::string_view::npos;
    std::string_view tag = xml.substr(p, name_end - p);
    if (size_t colon = tag.find(':'); colon != std::string_view::npos) tag = tag.substr(colon + 1);
    size_t gt = xml.find('>', name_end);
    if (gt == std::string_view::npos) return std::string_view::npos;
    if (tag == name && xml[p] != '/' && xml[p] != '?' && xml[p] != '!') {
      *tag_start = lt;
      *self_closing = xml[gt - 1] == '/';
      return gt + 1;
    }
    from = lt + 1;
  }
}

// The position of the matching </name> for an element whose content starts at `from` (nested
// elements of the same name are counted).
size_t FindClose(std::string_view xml, std::string_view name, size_t from, size_t* after) {
  int depth = 1;
  size_t p = from;
  while (true) {
    size_t lt = xml.find('<', p);
    if (lt == std::string_view::npos) return lt;
    if (xml.substr(lt, 9) == "<![CDATA[") {
      size_t end = xml.find("]]>", lt);
      if (end == std::string_view::npos) return end;
      p = end + 3;
      continue;
    }
    bool closing = lt + 1 < xml.size() && xml[lt + 1] == '/';
    size_t name_start = lt + (closing ? 2 : 1);
    size_t name_end = xml.find_first_of(" \t\r\n/>", name_start);
    if (name_end == std::string_view::npos) return std::string_view::npos;
    std::string_view tag = xml.substr(name_start, name_end - name_start);
    if (size_t colon = tag.find(':'); colon != std::string_view::npos) tag = tag.substr(colon + 1);
    size_t gt = xml.find('>', name_end);
    if (gt == std::string_view::npos) return std::string_view::npos;
    if (tag == name) {
      if (closing) {
        if (--depth == 0) {
          *after = gt + 1;
          return lt;
        }
      } else if (xml[gt - 1] != '/') {
        ++depth;
      }
    }
    p = gt + 1;
  }
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 9) == "<![CDATA[") {
      size_t end = text.find("]]>", i + 9);
      if (end == std::string_view::npos) end = text.size();
      out.append(text.substr(i + 9, end - i - 9));
      i = end + 2;
      continue;
    }
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || p != digits.data() + digits.size()) {
        out.append(text.substr(i, semi - i + 1));
      } else {
        AppendUtf8(out, cp);
      }
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> out;
  size_t from = 0;
  while (true) {
    size_t tag_start = 0;
    bool self_closing = false;
    size_t content = FindOpen(xml, name, from, &tag_start, &self_closing);
    if (content == std::string_view::npos) break;
    if (self_closing) {
      out.push_back(std::string_view());
      from = content;
      continue;
    }
    size_t after = 0;
    size_t close = FindClose(xml, name, content, &after);
    if (close == std::string_view::npos) break;
    out.push_back(xml.substr(content, close - content));
    from = after;
  }
  return out;
}

std::string XmlText(std::string_view xml, std::string_view name) {
  size_t tag_start = 0;
  bool self_closing = false;
  size_t content = FindOpen(xml, name, 0, &tag_start, &self_closing);
  if (content == std::string_view::npos || self_closing) return {};
  size_t after = 0;
  size_t close = FindClose(xml, name, content, &after);
  if (close == std::string_view::npos) return {};
  return XmlUnescape(xml.substr(content, close - content));
}

}  // namespace tributary::aws
