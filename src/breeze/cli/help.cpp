#include <breeze/cli/help.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/strings.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>
#include <utility>

namespace breeze::cli {

namespace {

// Columns a string takes on screen: UTF-8 continuation bytes take none (help holds no wide
// characters and no escape codes when this is measured).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A shell command line broken at spaces outside quotes (a quoted value stays on one line, so the
// continued command still means the same), packed greedily into lines of `width`.
std::vector<std::string> wrap_shell_words(std::string_view text, std::size_t width) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ') {
      if (!word.empty()) words.push_back(std::exchange(word, {}));
      continue;
    }
    word += c;
  }
  if (!word.empty()) words.push_back(word);
  std::vector<std::string> lines;
  std::string line;
  for (const auto& w : words) {
    if (!line.empty() && columns(line) + 1 + columns(w) > width)
      lines.push_back(std::exchange(line, {}));
    if (!line.empty()) line += ' ';
    line += w;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string command_path_of(const CLI::App* app) {
  std::vector<std::string> names;
  for (const auto* a = app; a != nullptr && a->get_parent() != nullptr; a = a->get_parent())
    names.insert(names.begin(), a->get_name());
  return strings::join(names, " ");
}

std::string full_name(const CLI::App* app) {
  std::vector<std::string> names;
  for (const auto* a = app; a != nullptr; a = a->get_parent())
    names.insert(names.begin(), a->get_name());
  return strings::join(names, " ");
}

class HelpFormatter final : public CLI::Formatter {
public:
  explicit HelpFormatter(HelpStyle style) : m_style(style) {}

  std::string make_help(const CLI::App* app, std::string /*name*/,
                        CLI::AppFormatMode mode) const override {
    std::ostringstream out;
    m_col = column(app);
    usage(out, app);
    if (!app->get_description().empty()) {
      out << '\n';
      for (const auto& line : wrap_words(app->get_description(), m_style.width))
        out << line << '\n';
    }
    positionals(out, app);
    commands(out, app); // a group's commands matter more than its common options
    panels(out, app);
    footer(out, app);
    if (mode == CLI::AppFormatMode::All)
      for (const auto* sub :
           app->get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
        out << '\n' << make_help(sub, sub->get_name(), CLI::AppFormatMode::All);
    return out.str();
  }

private:
  HelpStyle m_style;
  mutable std::size_t m_col = 0; // the description column of the help being drawn

  // One description column for the whole help: the longest option or command name that fits in
  // two fifths of the width; longer names put their description on the next line.
  [[nodiscard]] std::size_t column(const CLI::App* app) const {
    const std::size_t width = m_style.width;
    const std::size_t cap = std::max<std::size_t>(width * 2 / 5, 12);
    std::size_t longest = 0;
    auto consider = [&](std::size_t n) {
      if (n + 4 <= cap) longest = std::max(longest, n);
    };
    for (const auto* o :
         app->get_options([](const CLI::Option* x) { return !x->get_group().empty(); }))
      consider(columns(o->nonpositional() ? option_names(describe(app, o)) : o->get_name()));
    for (const auto* s :
         app->get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
      consider(columns(s->get_name()));
    std::size_t col = longest + 4;
    if (width < col + 20) col = std::min<std::size_t>(6, width / 4); // narrow: descriptions below
    return col;
  }

  [[nodiscard]] std::string bold(const std::string& s) const {
    return m_style.colour ? "\x1b[1m" + s + "\x1b[0m" : s;
  }
  [[nodiscard]] std::string cyan(const std::string& s) const {
    return m_style.colour ? "\x1b[36m" + s + "\x1b[0m" : s;
  }

  void usage(std::ostream& out, const CLI::App* app) const {
    std::string text = "Usage: " + full_name(app) + " [OPTIONS]";
    for (const auto* opt :
         app->get_options([](const CLI::Option* o) { return !o->nonpositional(); }))
      text += " " + opt->get_name();
    if (!app->get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }).empty())
      text += " COMMAND [ARGS]...";
    const auto lines = wrap_words(text, m_style.width);
    for (std::size_t i = 0; i < lines.size(); ++i)
      out << (i == 0 ? lines[i] : "  " + lines[i]) << '\n';
  }

  // Two columns: the names (indented 2) and the description; a name too wide for its column puts
  // the description on the lines below it.
  void rows(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& items,
            const std::function<std::string(const std::string&)>& paint) const {
    const std::size_t width = m_style.width;
    const std::size_t col = m_col;
    for (const auto& [name, description] : items) {
      const auto name_lines = wrap_words(name, width - 2);
      for (std::size_t i = 0; i + 1 < name_lines.size(); ++i)
        out << "  " << paint(name_lines[i]) << '\n';
      const auto& last = name_lines.empty() ? std::string() : name_lines.back();
      auto desc = wrap_words(description, width - col);
      std::size_t indent = col;
      if (std::any_of(desc.begin(), desc.end(),
                      [&](const std::string& l) { return columns(l) > width - col; })) {
        indent =
            std::min<std::size_t>(4, width / 4); // a word too long for the column: below, wider
        desc = wrap_words(description, width - indent);
      }
      std::size_t used = 2 + columns(last);
      out << "  " << paint(last);
      std::size_t first = 0;
      if (!desc.empty() && indent == col && used + 2 <= col) {
        out << std::string(col - used, ' ') << desc[0];
        first = 1;
      }
      out << '\n';
      for (std::size_t i = first; i < desc.size(); ++i)
        out << std::string(indent, ' ') << desc[i] << '\n';
    }
  }

  [[nodiscard]] static std::string option_names(const OptionReference& opt) {
    std::string text = strings::join(opt.spellings, ", ");
    if (!opt.flag) {
      const auto type = opt.type_name.substr(0, opt.type_name.find(':'));
      if (!type.empty()) text += " " + type;
    }
    return text;
  }

  // One way for every option: description, allowed values, default, variable.
  [[nodiscard]] std::string option_description(const OptionReference& opt) const {
    std::string text = opt.description;
    // Some descriptions say "(default: X)": shown like every other default, "[default: X]".
    if (auto open = text.find("(default: "); open != std::string::npos)
      if (auto close = text.find(')', open); close != std::string::npos) {
        text[open] = '[';
        text[close] = ']';
      }
    if (!opt.allowed.empty()) text += " (" + strings::join(opt.allowed, " | ") + ")";
    if (!opt.default_text.empty() && text.find("[default:") == std::string::npos)
      text += " [default: " + opt.default_text + "]";
    if (!opt.variable.empty()) text += " [env: " + opt.variable + "]";
    if (opt.required) text += " [required]";
    return text;
  }

  // `opt` of `app`, with the values `app`'s record adds to the run-time lists.
  [[nodiscard]] OptionReference describe(const CLI::App* app, const CLI::Option* opt) const {
    return describe_option(*opt,
                           command_values(m_style.allowed, find_command(command_path_of(app))));
  }

  void positionals(std::ostream& out, const CLI::App* app) const {
    const auto opts = app->get_options(
        [](const CLI::Option* o) { return !o->nonpositional() && !o->get_group().empty(); });
    if (opts.empty()) return;
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto* o : opts)
      items.emplace_back(o->get_name(), option_description(describe(app, o)));
    out << '\n' << bold("Arguments") << ":\n";
    rows(out, items, [this](const std::string& s) { return cyan(s); });
  }

  // The record's panels in its order, then the groups options were registered with, then the
  // common options.
  void panels(std::ostream& out, const CLI::App* app) const {
    std::vector<std::string> order;
    if (const auto* record = find_command(command_path_of(app)))
      for (const auto& p : record->panels)
        order.emplace_back(p.title);
    std::vector<OptionReference> opts;
    for (const auto* o : app->get_options(
             [](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); }))
      opts.push_back(describe(app, o));
    for (const auto& o : opts)
      if (std::find(order.begin(), order.end(), o.panel) == order.end() &&
          o.panel != k_common_panel)
        order.push_back(o.panel);
    order.emplace_back(k_common_panel);
    for (const auto& title : order) {
      std::vector<std::pair<std::string, std::string>> items;
      for (const auto& o : opts)
        if (o.panel == title) items.emplace_back(option_names(o), option_description(o));
      if (items.empty()) continue;
      out << '\n' << bold(title) << ":\n";
      rows(out, items, [this](const std::string& s) { return cyan(s); });
    }
  }

  void commands(std::ostream& out, const CLI::App* app) const {
    const auto subs =
        app->get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); });
    if (subs.empty()) return;
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto* s : subs)
      items.emplace_back(s->get_name(), s->get_description());
    out << '\n' << bold("Commands") << ":\n";
    rows(out, items, [this](const std::string& s) { return cyan(s); });
  }

  // The footer's lines as written; an example command too long for the width continues on the
  // next line after a backslash, so it still pastes into a shell.
  void footer(std::ostream& out, const CLI::App* app) const {
    const auto text = app->get_footer();
    if (text.empty()) return;
    out << '\n';
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      const auto indent = line.find_first_not_of(' ');
      if (indent == std::string::npos || columns(line) <= m_style.width) {
        out << line << '\n';
        continue;
      }
      const bool command = line.compare(indent, 7, "breeze ") == 0;
      const std::string pad(indent + 4, ' ');
      const std::size_t room = m_style.width > pad.size() + 2 ? m_style.width - pad.size() - 2 : 1;
      auto parts = command ? wrap_shell_words(line.substr(indent), room)
                           : wrap_words(line.substr(indent), room);
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const bool last = i + 1 == parts.size();
        out << (i == 0 ? std::string(indent, ' ') : pad);
        if (command && parts[i].starts_with('"') && columns(parts[i]) > room) {
          // A double-quoted value longer than a line: bash drops a backslash-newline inside
          // double quotes, so the value continues on unindented lines and stays the same.
          const auto pieces = wrap_words(parts[i], room);
          for (std::size_t j = 0; j < pieces.size(); ++j)
            out << pieces[j] << (j + 1 < pieces.size() ? " \\\n" : "");
        } else {
          out << parts[i];
        }
        if (command && !last) out << " \\";
        out << '\n';
      }
    }
  }
};

} // namespace

std::size_t help_width(const EnvLookup& env, std::size_t terminal_width) {
  return console::columns(env, terminal_width, 30);
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  if (width == 0) width = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const auto paragraph = text.substr(start, nl - start);
    std::string line;
    std::size_t pos = 0;
    bool any = false;
    while (pos < paragraph.size()) {
      const auto word_start = paragraph.find_first_not_of(' ', pos);
      if (word_start == std::string_view::npos) break;
      auto word_end = paragraph.find(' ', word_start);
      if (word_end == std::string_view::npos) word_end = paragraph.size();
      auto word = paragraph.substr(word_start, word_end - word_start);
      if (columns(word) > width) { // longer than a whole line: the only word ever broken
        if (!line.empty()) lines.push_back(std::exchange(line, {}));
        std::size_t cut = 0;
        for (std::size_t n = 0; cut < word.size(); ++cut) // the first `width` code points
          if ((static_cast<unsigned char>(word[cut]) & 0xC0) != 0x80 && n++ == width) break;
        lines.emplace_back(word.substr(0, cut));
        pos = word_start + cut;
        any = true;
        continue;
      }
      if (!line.empty() && columns(line) + 1 + columns(word) > width) {
        lines.push_back(line);
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
      any = true;
      pos = word_end;
    }
    if (any || paragraph.empty()) lines.push_back(line);
    if (nl == text.size()) break;
    start = nl + 1;
  }
  return lines;
}

std::shared_ptr<CLI::FormatterBase> make_help_formatter(HelpStyle style) {
  return std::make_shared<HelpFormatter>(style);
}

void set_help_formatter(CLI::App& root, const HelpStyle& style) {
  auto formatter = make_help_formatter(style);
  std::function<void(CLI::App*)> set = [&](CLI::App* app) {
    app->formatter(formatter);
    for (auto* sub : app->get_subcommands([](CLI::App*) { return true; }))
      set(sub);
  };
  set(&root);
}

} // namespace breeze::cli
