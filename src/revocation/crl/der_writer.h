// The DER writer moved to x509/der_writer.h (the certificate encoder uses it too); these names
// keep the CRL and OCSP code spelling them as revocation::...
#pragma once

#include "x509/der_writer.h"

namespace openpca::revocation {

using x509::kDerBoolean;
using x509::kDerInteger;
using x509::kDerBitString;
using x509::kDerOctetString;
using x509::kDerEnumerated;
using x509::kDerUtcTime;
using x509::kDerGeneralizedTime;
using x509::kDerSequence;
using x509::DerContextConstructed;
using x509::DerContextPrimitive;
using x509::kMaxDerHeaderSize;
using x509::kMaxDerTimeSize;
using x509::DerHeaderSize;
using x509::WriteDerHeader;
using x509::WriteDerUnsignedInteger;
using x509::WriteDerTime;
using x509::DerTimeWriter;
using x509::DecodeHex;
using x509::AppendDerHeader;
using x509::AppendDer;
using x509::AppendDerUnsignedInteger;
using x509::AppendDerInteger;
using x509::AppendDerTime;

}  // namespace openpca::revocation
