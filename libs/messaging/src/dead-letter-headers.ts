/** The dead-letter headers, defined once in libs/contracts (writers, the replay and the catalogue share them). */
export { DEAD_LETTER_HEADER_NAMES as DEAD_LETTER_HEADERS } from '@complaints/contracts';
