/** What the server step uses of the query language (src-shared/search/imap.ts). */
export { toImapSearch, type ImapSearch } from '#shared/search/imap';
