import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLOntologyStorageException;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The two OWL API calls a release needs, with every owl:imports resolved through an XML
 * catalog (catalog-v001.xml, as Protégé reads it) and never fetched from the network.
 *
 * <pre>
 * java OwlTool profile CATALOG FILE             OWL 2 DL profile of FILE with its imports closure
 * java OwlTool functional CATALOG IN OUT [...]  write each IN in OWL functional syntax to OUT
 * </pre>
 *
 * profile prints one VIOLATION&lt;TAB&gt;kind&lt;TAB&gt;text line per problem, then OWL2DL&lt;TAB&gt;OK or
 * OWL2DL&lt;TAB&gt;FAIL&lt;TAB&gt;count. Exit code: 0 done (in profile), 1 not in profile, 2 a file or
 * an import could not be read (message on stderr).
 */
public final class OwlTool {

    private OwlTool() {}

    public static void main(String[] args) {
        try {
            if (args.length == 3 && args[0].equals("profile")) {
                System.exit(profile(manager(new File(args[1])), new File(args[2])));
            } else if (args.length >= 4 && args.length % 2 == 0 && args[0].equals("functional")) {
                for (int i = 2; i < args.length; i += 2) {
                    // a manager per file: one loaded as another's import cannot be loaded again
                    functional(manager(new File(args[1])), new File(args[i]), new File(args[i + 1]));
                }
                System.exit(0);
            }
            System.err.println("usage: OwlTool profile CATALOG FILE | functional CATALOG IN OUT [IN OUT ...]");
            System.exit(2);
        } catch (Exception e) {
            System.err.println("error: " + oneLine(String.valueOf(e.getMessage())));
            System.exit(2);
        }
    }

    /** A manager that resolves ontology IRIs only through the catalog: an import it does not list fails. */
    static OWLOntologyManager manager(File catalog) throws Exception {
        Map<IRI, IRI> documents = readCatalog(catalog);
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(iri -> documents.getOrDefault(iri,
                IRI.create(new File("/nonexistent/not-in-catalog/" + iri.getShortForm()))));
        return manager;
    }

    static Map<IRI, IRI> readCatalog(File catalog) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        // a catalog is configuration, never a place for entities or external documents
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        NodeList entries = factory.newDocumentBuilder().parse(catalog).getElementsByTagNameNS("*", "uri");
        Map<IRI, IRI> documents = new HashMap<>();
        File base = catalog.getAbsoluteFile().getParentFile();
        for (int i = 0; i < entries.getLength(); i++) {
            Element entry = (Element) entries.item(i);
            documents.put(IRI.create(entry.getAttribute("name")),
                    IRI.create(new File(base, entry.getAttribute("uri"))));
        }
        return documents;
    }

    static int profile(OWLOntologyManager manager, File file) throws OWLOntologyCreationException {
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(file);
        List<String> violations = new ArrayList<>();
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            violations.add(v.getClass().getSimpleName() + "\t" + oneLine(v.toString()));
        }
        // Triples the RDF mapping could not turn into axioms never reach the profile checker.
        for (OWLOntology loaded : ontology.getImportsClosure()) {
            OWLDocumentFormat format = loaded.getFormat();
            OWLOntologyLoaderMetaData meta = format == null ? null : format.getOntologyLoaderMetaData().orElse(null);
            if (meta instanceof RDFParserMetaData rdfMeta) {
                rdfMeta.getUnparsedTriples().forEach(t -> violations.add("UnparsedTriple\t" + oneLine(t.toString())));
            }
        }
        violations.forEach(v -> System.out.println("VIOLATION\t" + v));
        System.out.println(violations.isEmpty() ? "OWL2DL\tOK" : "OWL2DL\tFAIL\t" + violations.size());
        return violations.isEmpty() ? 0 : 1;
    }

    static void functional(OWLOntologyManager manager, File in, File out)
            throws OWLOntologyCreationException, OWLOntologyStorageException {
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(in);
        FunctionalSyntaxDocumentFormat format = new FunctionalSyntaxDocumentFormat();
        OWLDocumentFormat source = ontology.getFormat();
        if (source instanceof PrefixDocumentFormat prefixes) {
            format.copyPrefixesFrom(prefixes);
        }
        manager.saveOntology(ontology, format, IRI.create(out.getAbsoluteFile()));
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
