#include "x509/pem.h"

#include "x509/ossl.h"

namespace openpca::x509 {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr size_t kLineWidth = 64;

// Whitespace around a line is tolerated (RFC 7468 section 3); whitespace inside it is not.
std::string_view Trim(std::string_view line) {
  size_t begin = line.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = line.find_last_not_of(" \t\r");
  return line.substr(begin, end - begin + 1);
}

// The label of a "-----BEGIN X-----" / "-----END X-----" line, or nullopt.
std::optional<std::string_view> Boundary(std::string_view line, std::string_view prefix) {
  if (!line.starts_with(prefix) || !line.ends_with(kDashes) ||
      line.size() < prefix.size() + kDashes.size()) {
    return std::nullopt;
  }
  return line.substr(prefix.size(), line.size() - prefix.size() - kDashes.size());
}

bool IsDerOf(std::span<const uint8_t> der, bool (*parse)(const unsigned char**, long)) {
  const unsigned char* in = der.data();
  bool ok = parse(&in, static_cast<long>(der.size())) && in == der.data() + der.size();
  ClearOsslErrors();
  return ok;
}

bool ParsesAsCertificate(const unsigned char** in, long len) {
  return X509Ptr(d2i_X509(nullptr, in, len)) != nullptr;
}

bool ParsesAsCsr(const unsigned char** in, long len) {
  return X509ReqPtr(d2i_X509_REQ(nullptr, in, len)) != nullptr;
}

Result<Bytes> SingleBlock(std::string_view pem, std::initializer_list<std::string_view> labels,
                          ErrorCode code, const char* what,
                          bool (*parse)(const unsigned char**, long)) {
  ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, ParsePemBlocks(pem, code));
  if (blocks.size() != 1) return Status(code, std::string("expected exactly one PEM ") + what);
  bool label_ok = false;
  for (std::string_view l : labels) label_ok = label_ok || blocks[0].label == l;
  if (!label_ok) {
    return Status(code, std::string("expected a PEM ") + what + ", got " + blocks[0].label);
  }
  if (parse != nullptr && !IsDerOf(blocks[0].der, parse)) {
    return Status(code, std::string("the PEM block is not a DER ") + what);
  }
  return std::move(blocks[0].der);
}

}  // namespace

std::string DerToPem(std::string_view label, std::span<const uint8_t> der) {
  std::string b64 = Base64Encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / kLineWidth + 2 * (label.size() + 16));
  out.append(kBegin).append(label).append(kDashes).push_back('\n');
  for (size_t i = 0; i < b64.size(); i += kLineWidth) {
    out.append(b64, i, kLineWidth).push_back('\n');
  }
  out.append(kEnd).append(label).append(kDashes).push_back('\n');
  return out;
}

Result<std::vector<PemBlock>> ParsePemBlocks(std::string_view text, ErrorCode error_code) {
  std::vector<PemBlock> blocks;
  std::optional<std::string> label;  // set while inside a block
  std::string body;
  size_t line_no = 0;
  size_t pos = 0;
  auto error = [&](const std::string& msg) {
    return Status(error_code, "PEM line " + std::to_string(line_no) + ": " + msg);
  };
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::string_view line = Trim(raw);
    if (!label.has_value()) {
      if (line.empty()) continue;
      std::optional<std::string_view> begin = Boundary(line, kBegin);
      if (!begin.has_value()) return error("expected -----BEGIN ...-----");
      if (begin->empty()) return error("empty PEM label");
      label = std::string(*begin);
      body.clear();
      continue;
    }
    if (std::optional<std::string_view> end = Boundary(line, kEnd); end.has_value()) {
      if (*end != *label) return error("END label does not match BEGIN label");
      std::optional<Bytes> der = Base64Decode(body);
      if (!der.has_value() || der->empty()) return error("invalid base64 in PEM block");
      blocks.push_back(PemBlock{std::move(*label), std::move(*der)});
      label.reset();
      continue;
    }
    // Base64 lines only: no encapsulated headers ("Proc-Type: ..."), no embedded blanks.
    if (line.empty()) return error("blank line inside a PEM block");
    if (line.find_first_of(" \t:") != std::string_view::npos) {
      return error("unexpected text inside a PEM block");
    }
    body.append(line);
  }
  if (label.has_value()) return error("missing -----END " + *label + "-----");
  if (blocks.empty()) return Status(error_code, "no PEM block found");
  return blocks;
}

std::string CertificateDerToPem(std::span<const uint8_t> der) {
  return DerToPem(kPemCertificate, der);
}

Result<Bytes> CertificatePemToDer(std::string_view pem) {
  return SingleBlock(pem, {kPemCertificate}, ErrorCode::kMalformedCertificate, "certificate",
                     &ParsesAsCertificate);
}

Result<std::vector<Bytes>> CertificateBundlePemToDer(std::string_view pem) {
  ASSIGN_OR_RETURN(std::vector<PemBlock> blocks,
                   ParsePemBlocks(pem, ErrorCode::kMalformedCertificate));
  std::vector<Bytes> out;
  out.reserve(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    std::string where = "certificate " + std::to_string(i + 1) + " of the bundle";
    if (blocks[i].label != kPemCertificate) {
      return Status(ErrorCode::kMalformedCertificate,
                    where + " is a " + blocks[i].label + " block, not a CERTIFICATE");
    }
    if (!IsDerOf(blocks[i].der, &ParsesAsCertificate)) {
      return Status(ErrorCode::kMalformedCertificate, where + " is not a DER certificate");
    }
    out.push_back(std::move(blocks[i].der));
  }
  return out;
}

std::string CertificateBundleDerToPem(const std::vector<Bytes>& ders) {
  std::string out;
  for (const Bytes& der : ders) out += CertificateDerToPem(der);
  return out;
}

std::string CsrDerToPem(std::span<const uint8_t> der) { return DerToPem(kPemCsr, der); }

Result<Bytes> CsrPemToDer(std::string_view pem) {
  return SingleBlock(pem, {kPemCsr, kPemNewCsr}, ErrorCode::kMalformedCsr, "certificate request",
                     &ParsesAsCsr);
}

Result<Bytes> CsrPemBlockToDer(std::string_view pem) {
  return SingleBlock(pem, {kPemCsr, kPemNewCsr}, ErrorCode::kMalformedCsr, "certificate request",
                     nullptr);
}

std::string CrlDerToPem(std::span<const uint8_t> der) { return DerToPem(kPemCrl, der); }

}  // namespace openpca::x509
