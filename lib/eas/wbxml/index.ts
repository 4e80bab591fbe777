/** ActiveSync WBXML codec (MS-ASWBXML): decoder, encoder, tree types and code pages. */
export { decodeWbxml } from './decode-wbxml.js'
export { encodeWbxml } from './encode-wbxml.js'
export { WbxmlError, type WbxmlErrorCode } from './wbxml-error.js'
export { DEFAULT_WBXML_LIMITS, type WbxmlLimits } from './wbxml-limits.js'
export { readMbUint32, writeMbUint32 } from './mb-uint32.js'
export {
  childElements, textContent, wbxmlElement, wbxmlOpaque, wbxmlText,
  type WbxmlElement, type WbxmlNode, type WbxmlOpaque, type WbxmlText
} from './wbxml-node.js'
export {
  CODE_PAGES, codePageByNamespace, codePageByNumber, isEasNamespace, MAX_TAG_TOKEN, MIN_TAG_TOKEN,
  type CodePage, type EasNamespace
} from './codepages/index.js'
export { wbxmlToXml, CONTENT_TAGS, type XmlOptions } from './wbxml-to-xml.js'
